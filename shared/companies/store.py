"""The `companies` table: the current state of each aggregate, written in the event's transaction.

It is the query side's source in Postgres (the list, lookups by slug, uniqueness of INN/OGRN);
the event store stays the truth, and this row can always be rebuilt from it.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from shared.companies.aggregate import CompanyState
from shared.companies.model import Company

if TYPE_CHECKING:
    import psycopg

# Written from the aggregate's state; enrichment-only columns (embedding, sentiment) are not.
_STATE_COLUMNS = (
    "slug", "name", "description", "website", "logo_url", "industry", "sub_industries", "business_model",
    "founded_year", "headquarters_country", "headquarters_city", "employees_count", "employees_range",
    "funding_total", "funding_stage", "last_funding_date", "inn", "ogrn", "kpp", "legal_name", "legal_address",
    "legal_status", "tech_stack", "integrations", "api_available", "api_documentation_url", "ai_summary", "ai_tags",
    "is_verified", "verified_at", "verification_error", "owner_id", "created_at", "updated_at",
)  # fmt: skip
VIEW_COLUMNS = ", ".join(
    [*(c for c in _STATE_COLUMNS), "id", "version", "ai_sentiment_score", "embedding_model", "is_active", "view_count"]
)


def save(conn: psycopg.Connection, state: CompanyState) -> None:
    """Insert or overwrite the row with the aggregate's state (inside the caller's transaction)."""
    values = [_value(c, state.fields.get(c)) for c in _STATE_COLUMNS]
    columns = ", ".join(_STATE_COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*_STATE_COLUMNS, "version", "deleted_at"))
    conn.execute(
        f"INSERT INTO companies (id, version, deleted_at, {columns}) "
        f"VALUES (%s, %s, %s, {', '.join(['%s'] * len(_STATE_COLUMNS))}) "
        f"ON CONFLICT (id) DO UPDATE SET {updates}",
        (state.id, state.version, state.deleted_at, *values),
    )


def _value(column: str, value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if column == "tech_stack" else value


def lock(conn: psycopg.Connection, company_id: str) -> bool:
    """Serialise commands on one company; False if there is no such row."""
    return conn.execute("SELECT 1 FROM companies WHERE id = %s FOR UPDATE", (company_id,)).fetchone() is not None


def resolve(conn: psycopg.Connection, key: str) -> tuple[str, str] | None:
    """(id, current slug) of a company named by id, current slug or a former slug; deleted ones included."""
    if is_uuid(key):
        row = conn.execute("SELECT id::text AS id, slug FROM companies WHERE id = %s", (key,)).fetchone()
    else:
        row = conn.execute(
            "SELECT c.id::text AS id, c.slug FROM company_slugs s JOIN companies c ON c.id = s.company_id "
            "WHERE s.slug = %s",
            (key,),
        ).fetchone()
    return (row["id"], row["slug"]) if row else None  # type: ignore[call-overload]


def load_view(conn: psycopg.Connection, company_id: str) -> Company | None:
    """The live company as readers see it; None when unknown or deleted."""
    row = conn.execute(
        f"SELECT {VIEW_COLUMNS} FROM companies WHERE id = %s AND deleted_at IS NULL", (company_id,)
    ).fetchone()
    return Company.model_validate(row) if row else None


def duplicate_of(
    conn: psycopg.Connection, *, inn: str | None, ogrn: str | None, exclude: str | None
) -> tuple[str, str] | None:
    """(field, id) of a live company already holding this INN or OGRN."""
    for column, value in (("inn", inn), ("ogrn", ogrn)):
        if not value:
            continue
        row = conn.execute(
            f"SELECT id::text AS id FROM companies "
            f"WHERE {column} = %s AND deleted_at IS NULL AND id IS DISTINCT FROM %s",
            (value, exclude),
        ).fetchone()
        if row:
            return column, row["id"]  # type: ignore[call-overload]
    return None


def claim_slug(conn: psycopg.Connection, base: str, company_id: str) -> str:
    """The first of `base`, `base-2`, ... free across every slug ever used (or already this company's)."""
    owners = {
        r["slug"]: str(r["company_id"])  # type: ignore[call-overload]
        for r in conn.execute(
            "SELECT slug, company_id FROM company_slugs WHERE slug = %s OR slug LIKE %s", (base, base + "-%")
        ).fetchall()
    }
    slug, n = base, 2
    while slug in owners and owners[slug] != company_id:
        slug, n = f"{base}-{n}", n + 1
    if slug not in owners:
        conn.execute("INSERT INTO company_slugs (slug, company_id) VALUES (%s, %s)", (slug, company_id))
    return slug


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
