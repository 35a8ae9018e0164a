"""Nearest companies by embedding: approximate through the HNSW index, or exact for measuring its recall.

`nearest_companies` orders live companies by cosine distance to a query vector
(``ORDER BY embedding <=> q LIMIT k``), which pgvector answers from ``idx_companies_embedding_hnsw``
(migration 0005). HNSW is approximate: it explores ``hnsw.ef_search`` candidates (pgvector's default 40
gave recall@10 0.985 on 20,000 vectors, 100 gave 0.994: tests/benchmarks/bench_embeddings.py), so this
sets it to at least ``limit``, or to the caller's ``ef_search``. With filters (industry, excluded ids,
one model), rows failing them are dropped after the index scan, so on pgvector >= 0.8 it also turns on
``hnsw.iterative_scan = relaxed_order`` (the scan continues until ``limit`` rows pass) and re-sorts the
result, as pgvector's README advises. Both are ``SET LOCAL``: they last until the end of the current
transaction (the one this opens, or the caller's if one is open).

`nearest_companies_exact` answers the same question by reading every row: it orders by
``(embedding <=> q) + 0``, an expression no index matches, so the planner cannot use HNSW. The recall
benchmark compares the two (tests/benchmarks/bench_embeddings.py).

``filters.catalog`` takes the catalog filters of ``GET /v1/companies`` (shared/companies/filters.py: the
same SQL), which is how the semantic side of ``GET /v1/search`` is narrowed; each neighbour then also
carries the fields the search shows and counts (slug, funding stage, business model, city).

Distances are cosine distances (0 same direction, 1 orthogonal, 2 opposite); `Neighbour.similarity` is
1 - distance. The query vector must come from the same model as the stored ones: pass
``filters.model = embedder.model`` to ignore vectors of any other model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.companies.filters import filter_sql
from shared.embeddings.vectors import to_literal

if TYPE_CHECKING:
    import psycopg

    from shared.companies.model import CompanyFilters

DEFAULT_EF_SEARCH = 40  # pgvector's default hnsw.ef_search


@dataclass(frozen=True)
class NeighbourFilters:
    industry: str | None = None
    exclude_ids: Sequence[str] = field(default_factory=tuple)
    model: str | None = None
    verified: bool | None = None
    catalog: CompanyFilters | None = None  # the filters of GET /v1/companies and GET /v1/search

    @property
    def any(self) -> bool:
        catalog = self.catalog is not None and bool(self.catalog.applied())
        return bool(self.industry or self.exclude_ids or self.model or self.verified is not None or catalog)


@dataclass(frozen=True)
class Neighbour:
    company_id: str
    name: str
    industry: str
    distance: float
    slug: str | None = None
    funding_stage: str | None = None
    business_model: str | None = None
    headquarters_city: str | None = None

    @property
    def similarity(self) -> float:
        return 1.0 - self.distance


def nearest_companies(
    conn: psycopg.Connection,
    query_vector: Sequence[float],
    limit: int = 10,
    filters: NeighbourFilters | None = None,
    *,
    ef_search: int | None = None,
) -> list[Neighbour]:
    """The ``limit`` live companies closest to ``query_vector`` through the HNSW index (approximate);
    ``ef_search`` (default: 40 or ``limit`` if larger) trades speed for recall."""
    ef = max(ef_search or DEFAULT_EF_SEARCH, limit)
    return _nearest(conn, query_vector, limit, filters or NeighbourFilters(), exact=False, ef_search=ef)


def nearest_companies_exact(
    conn: psycopg.Connection,
    query_vector: Sequence[float],
    limit: int = 10,
    filters: NeighbourFilters | None = None,
) -> list[Neighbour]:
    """The same as `nearest_companies`, by a full scan: the true top ``limit`` (for recall measurements)."""
    return _nearest(conn, query_vector, limit, filters or NeighbourFilters(), exact=True, ef_search=0)


def nearest_sql(filters: NeighbourFilters, *, exact: bool) -> str:
    """The statement (named parameters q, limit, industry, exclude, model, verified, and the catalog filters' own)."""
    where = ["embedding IS NOT NULL", "deleted_at IS NULL"]
    if filters.industry:
        where.append("industry = %(industry)s")
    if filters.exclude_ids:
        where.append("id <> ALL(%(exclude)s::uuid[])")
    if filters.model:
        where.append("embedding_model = %(model)s")
    if filters.verified is not None:
        where.append("is_verified = %(verified)s")
    if filters.catalog is not None:
        where += filter_sql(filters.catalog)[0]
    order = "(embedding <=> %(q)s::vector) + 0" if exact else "embedding <=> %(q)s::vector"
    inner = (
        "SELECT id::text AS company_id, name, industry, embedding <=> %(q)s::vector AS distance, "
        "slug, funding_stage, business_model, headquarters_city "
        f"FROM companies WHERE {' AND '.join(where)} ORDER BY {order} LIMIT %(limit)s"
    )
    # relaxed_order may return rows slightly out of order: sort the k rows again.
    return f"WITH nearest AS MATERIALIZED ({inner}) SELECT * FROM nearest ORDER BY distance, company_id"


def _nearest(
    conn: psycopg.Connection,
    query_vector: Sequence[float],
    limit: int,
    filters: NeighbourFilters,
    *,
    exact: bool,
    ef_search: int,
) -> list[Neighbour]:
    if limit < 1:
        raise ValueError("limit must be at least 1")
    params: dict[str, Any] = {
        "q": to_literal(query_vector),
        "limit": limit,
        "industry": filters.industry,
        "exclude": list(filters.exclude_ids),
        "model": filters.model,
        "verified": filters.verified,
    }
    if filters.catalog is not None:
        params.update(filter_sql(filters.catalog)[1])
    with conn.transaction():
        if not exact:
            conn.execute("SELECT set_config('hnsw.ef_search', %s, true)", (str(ef_search),))
            if filters.any and _has_iterative_scan(conn):
                conn.execute("SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)")
        rows: list[Any] = conn.execute(nearest_sql(filters, exact=exact), params).fetchall()
    return [
        Neighbour(
            r["company_id"],
            r["name"],
            r["industry"],
            float(r["distance"]),
            r["slug"],
            r["funding_stage"],
            r["business_model"],
            r["headquarters_city"],
        )
        for r in rows
    ]


def _has_iterative_scan(conn: psycopg.Connection) -> bool:
    """pgvector >= 0.8 (iterative index scans)."""
    row: Any = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
    if row is None:
        return False
    version = row["extversion"] if isinstance(row, dict) else row[0]
    try:
        major, minor = (int(p) for p in str(version).split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (0, 8)
