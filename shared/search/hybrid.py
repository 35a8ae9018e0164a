"""Hybrid company search (`GET /v1/search`): full-text and semantic results fused by reciprocal rank.

Two sides answer the same query under the same filters (shared/companies/filters.py and its OpenSearch
translation: the names and meaning of `GET /v1/companies`):

* **full text** (`SearchIndex.match`): OpenSearch BM25 over name and description with the ``russian``
  analyzer (stemming) and ``fuzziness: AUTO`` in the full profile; Postgres ``russian`` text search with
  the query's stems as prefixes plus pg_trgm name similarity in the embedded profile, falling back, when
  that finds nothing, to replacing each unknown query word by the catalog's words most like it (pg_trgm
  similarity over a vocabulary; see shared/search/postgres_index.py). The best `TEXT_WINDOW` (200)
  matches take part, and the side reports how many matched in all;
* **semantic**: the query's embedding (`Embedder.embed_query`; multilingual-e5 puts Russian and English in
  one space) and its `SEMANTIC_WINDOW` (50) nearest live companies by cosine distance through pgvector's
  HNSW index on ``companies.embedding`` (`nearest_companies`, ef_search `SEMANTIC_EF_SEARCH`), in both
  profiles: OpenSearch has no k-NN here, vectors are written to ``companies`` first, and its filter
  columns are the list's own. Cosine similarity has no useful cut-off (e5 scores unrelated text about 0.8
  and related text 0.85), so the side is the k nearest, not a match set.

**Reciprocal rank fusion** (Cormack, Clarke, Büttcher 2009): each company scores the sum over the sides that
found it of ``1 / (k + rank)``, rank 1-based, ``k = 60`` (`RRF_K`, the paper's value and OpenSearch's and
Elasticsearch's default). Only ranks count, so BM25, ts_rank and cosine scores need no calibration
against each other, and a company ranked well by both sides outranks one ranked first by only one
(2 / 62 > 1 / 61). Ties go to the better single rank, then to the id, so the order is deterministic.

**Results, pages, total.** The fused list is cut at `MAX_RESULTS` (200): RRF over windows is approximate
deep down (a company ranked 201st by text and 51st semantically is in neither window), so pages stop
there (page + page_size; a page must start before result 200). Each page request fuses again and cuts
its slice from the same deterministic order, so pages do not overlap while the index is unchanged.
``total`` is the length of the fused list (at most 200); ``text_matches`` is how many companies the
full-text side matched in all (exact).

**Facets** count industry, funding stage, business model and city over the fused list, all pages: a
value's count is how many of the ``total`` results carry it, so facets describe exactly what the client
can page through, in every mode and profile alike (the chosen alternative to counting the full-text
match set, which would leave semantic results uncounted and be empty for an English query of a
Russian catalog).

**Highlights** are made for the page's companies only (OpenSearch's highlighter; Postgres ``ts_headline``
with the query's stems as prefixes, so a typo sharing its stem's beginning is marked too): the text is
HTML-escaped and the matched words wrapped in ``<mark>…</mark>``.

**Deleted companies never appear:** each side leaves them out, and the fused list drops any company whose
``companies`` row is deleted (the command's own transaction sets it), covering the moment before the
read model has applied the deletion.

**Latency.** In hybrid mode the full-text request runs in a background thread while the model embeds
the query (a network wait overlapping local CPU work); the pgvector query follows once it is back, since
in the embedded profile both use the function's one database connection.

**Degradation.** The embedding model is optional at runtime (`QueryEmbedder`): when it cannot be loaded
or fails on a query, a hybrid or semantic search answers from the full-text side alone with
``mode: "text"`` and ``degraded`` saying why.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from shared.companies.model import CompanyFilters
from shared.search.highlight import MARK_END, MARK_START, render_highlight
from shared.search.model import (
    MAX_RESULTS,
    RRF_K,
    SEMANTIC_EF_SEARCH,
    SEMANTIC_WINDOW,
    TEXT_WINDOW,
    Candidate,
    FacetValue,
    Highlight,
    SearchFacets,
    SearchItem,
    SearchMode,
    SearchPage,
    SearchQuery,
    TextMatches,
)

if TYPE_CHECKING:
    import psycopg

    from shared.embeddings import Embedder
    from shared.search import SearchIndex

LOG = logging.getLogger(__name__)

TEXT, SEMANTIC = "text", "semantic"


# -- fusion ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fused:
    id: str
    score: float
    ranks: dict[str, int] = field(default_factory=dict)  # side -> 1-based rank


def reciprocal_rank_fusion(rankings: Mapping[str, Sequence[str]], k: int = RRF_K) -> list[Fused]:
    """Ids ordered by ``sum(1 / (k + rank))`` over the rankings that hold them (rank 1-based); ties by the
    best single rank, then by id. A ranking listing an id twice counts its first place only."""
    ranks: dict[str, dict[str, int]] = {}
    for side, ids in rankings.items():
        for position, item in enumerate(ids, start=1):
            ranks.setdefault(item, {}).setdefault(side, position)
    fused = [Fused(item, sum(1.0 / (k + r) for r in by_side.values()), by_side) for item, by_side in ranks.items()]
    fused.sort(key=lambda f: (-f.score, min(f.ranks.values()), f.id))
    return fused


# -- the optional embedder -------------------------------------------------------------------------------------


class QueryEmbedder:
    """The query embedder, optional at runtime: loaded once (at cold start, by `warm`), and when it cannot be
    loaded the search goes on without it, trying again after `retry_after_s`.

    ``embed`` returns (vector, None) or (None, why): a reason meant for the client, while the exception
    itself goes to the log.
    """

    def __init__(
        self,
        load: Callable[[], Embedder],
        *,
        dimensions: int | None = None,
        retry_after_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._dimensions = dimensions
        self._retry_after_s = retry_after_s
        self._clock = clock
        self._lock = threading.Lock()
        self._embedder: Embedder | None = None
        self._failed_at: float | None = None
        self._reason: str | None = None

    @property
    def model(self) -> str | None:
        return self._embedder.model if self._embedder is not None else None

    def get(self) -> tuple[Embedder | None, str | None]:
        """(the embedder, None) or (None, why it is unavailable)."""
        with self._lock:
            if self._embedder is not None:
                return self._embedder, None
            if self._failed_at is not None and self._clock() - self._failed_at < self._retry_after_s:
                return None, self._reason
            try:
                loaded = self._load()
                if self._dimensions is not None and loaded.dimensions != self._dimensions:
                    raise RuntimeError(
                        f"{loaded.model} makes {loaded.dimensions}-d vectors, the index holds {self._dimensions}-d"
                    )
            except Exception as exc:  # any failure to load means: search without it
                LOG.warning("embedding model unavailable: %s: %s", type(exc).__name__, exc)
                self._failed_at = self._clock()
                self._reason = "semantic search is unavailable (the embedding model could not be loaded)"
                return None, self._reason
            self._embedder, self._failed_at, self._reason = loaded, None, None
            return loaded, None

    def warm(self) -> str | None:
        """Load the model and embed one query, so the first real search pays neither; never raises.
        Returns why it is unavailable, or None."""
        model, reason = self.get()
        if model is None:
            return reason
        _, reason = self.embed("прогрев")
        return reason

    def embed(self, text: str) -> tuple[list[float] | None, str | None]:
        model, reason = self.get()
        if model is None:
            return None, reason
        try:
            return model.embed_query(text), None
        except Exception as exc:  # a provider outage or a broken model: this query goes without it
            LOG.warning("query embedding failed: %s: %s", type(exc).__name__, exc)
            return None, "semantic search is unavailable (the embedding model failed on this query)"


# -- the search ------------------------------------------------------------------------------------------------


@cache
def _background() -> ThreadPoolExecutor:
    """Threads for the full-text request that overlaps the query embedding (created on first use)."""
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="search-text")


def semantic_candidates(
    conn: psycopg.Connection, vector: Sequence[float], filters: CompanyFilters, model: str | None, limit: int
) -> list[Candidate]:
    """The `limit` live companies nearest to `vector` under `filters` (HNSW), nearest first."""
    from shared.embeddings.similarity import NeighbourFilters, nearest_companies

    filtered = NeighbourFilters(model=model, catalog=filters)
    neighbours = nearest_companies(conn, vector, limit, filtered, ef_search=max(limit, SEMANTIC_EF_SEARCH))
    return [
        Candidate(
            id=n.company_id,
            name=n.name,
            industry=n.industry,
            slug=n.slug,
            funding_stage=n.funding_stage,
            business_model=n.business_model,
            city=n.headquarters_city,
            score=n.similarity,
        )
        for n in neighbours
    ]


def deleted_among(conn: psycopg.Connection, ids: Sequence[str]) -> set[str]:
    """Which of `ids` are deleted companies (or no company at all) according to ``companies``."""
    if not ids:
        return set()
    with conn.transaction():
        rows: list[Any] = conn.execute(
            "SELECT i::text AS id FROM unnest(%s::uuid[]) AS i "
            "WHERE NOT EXISTS (SELECT 1 FROM companies c WHERE c.id = i AND c.deleted_at IS NULL)",
            (list(ids),),
        ).fetchall()
    return {r["id"] for r in rows}


def facets(candidates: Iterable[Candidate]) -> SearchFacets:
    counters: dict[str, Counter[str]] = {name: Counter() for name in SearchFacets.model_fields}
    for c in candidates:
        for name, value in (
            ("industry", c.industry), ("funding_stage", c.funding_stage),
            ("business_model", c.business_model), ("city", c.city),
        ):  # fmt: skip
            if value:
                counters[name][value] += 1
    return SearchFacets(
        **{
            name: [FacetValue(value=v, count=n) for v, n in sorted(counter.items(), key=lambda vn: (-vn[1], vn[0]))]
            for name, counter in counters.items()
        }
    )


def search(query: SearchQuery, *, index: SearchIndex, conn: psycopg.Connection, embedder: QueryEmbedder) -> SearchPage:
    """One page of `query`'s results (see the module docstring)."""
    filters = query.filters()
    mode: SearchMode = query.mode
    degraded: str | None = None
    vector: list[float] | None = None
    text: TextMatches | None = None
    if mode == "text":
        text = index.match(query.q, filters, TEXT_WINDOW)
    else:
        # The full-text request runs while the model embeds the query; it is joined before anything else
        # touches the database (in the embedded profile the index and `conn` are one connection).
        pending = _background().submit(index.match, query.q, filters, TEXT_WINDOW) if mode == "hybrid" else None
        try:
            vector, degraded = embedder.embed(query.q)
        finally:
            text = pending.result() if pending is not None else None
        if vector is None:
            mode = "text"
            if text is None:  # semantic mode without the model: the full text after all
                text = index.match(query.q, filters, TEXT_WINDOW)
    semantic = (
        semantic_candidates(conn, vector, filters, embedder.model, SEMANTIC_WINDOW) if vector is not None else None
    )
    found: dict[str, Candidate] = {}
    rankings: dict[str, list[str]] = {}
    for side, candidates in ((SEMANTIC, semantic), (TEXT, text.candidates if text else None)):
        if candidates is None:
            continue
        rankings[side] = [c.id for c in candidates]
        found.update((c.id, c) for c in candidates)  # text last: the search read model's view wins
    fused = reciprocal_rank_fusion(rankings)
    gone = deleted_among(conn, [f.id for f in fused])
    results = [f for f in fused if f.id not in gone][:MAX_RESULTS]
    start = (query.page - 1) * query.page_size
    page = results[start : start + query.page_size]
    marks = index.highlight(query.q, [f.id for f in page]) if page else {}
    items = [
        SearchItem(
            id=uuid.UUID(f.id),
            name=found[f.id].name,
            slug=found[f.id].slug,
            industry=found[f.id].industry,
            score=round(f.score, 6),
            text_rank=f.ranks.get(TEXT),
            semantic_rank=f.ranks.get(SEMANTIC),
            highlight=marks.get(f.id) or Highlight(),
        )
        for f in page
    ]
    return SearchPage(
        query=query.q,
        backend=index.backend,
        mode=mode,
        degraded=degraded,
        total=len(results),
        text_matches=text.total if text is not None else None,
        items=items,
        facets=facets(found[f.id] for f in results),
        page=query.page,
        page_size=query.page_size,
    )


__all__ = [
    "MARK_END",
    "MARK_START",
    "Fused",
    "QueryEmbedder",
    "TextMatches",
    "facets",
    "reciprocal_rank_fusion",
    "render_highlight",
    "search",
]
