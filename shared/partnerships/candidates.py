"""Candidate partners from Postgres: complementary products serving the same customers, never rivals.

The trap this avoids: the companies nearest by description embedding are the company's competitors
(same words, same product). So candidates are not found by similarity at all. SQL keeps live
companies whose kinds of product (`matching_sub_industries`: the user's sub-industries, else the
classifier's confident proposals, migration 0011; GIN-indexed) complement the company's, or are
kinds the company's integrations and description name (shared.partnerships.mentions), or that
integrate with well-known products of the company's kind, or, for companies without kinds, whose
industry complements its industry; drops the company itself and its direct competitors (same
industry and a shared sub-industry); and orders them by a cheap pre-score: named kinds first, then "same customers":
shared integrations, the same business model, country and city, an open API. Only the top POOL
(a few hundred) go to `analyze_pair` in Python, whatever the catalog size. The embedding is not
used: the nearest descriptions are the rivals (bench_partners.py, part 4: all 10 of the 10 nearest
by description words are competitors).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from shared.partnerships.compatibility import complementary_industries, complementary_subs, kinds
from shared.partnerships.mentions import mentions, products_of

if TYPE_CHECKING:
    import psycopg

POOL = 300
SCORING_COLUMNS = (
    "id::text AS id, slug, name, industry, sub_industries, matching_sub_industries, business_model, "
    "headquarters_country, headquarters_city, employees_count, integrations, api_available, tech_stack, "
    "description, ai_tags"
)

_CANDIDATES = f"""
SELECT {SCORING_COLUMNS} FROM companies c
WHERE c.deleted_at IS NULL AND c.id <> %(id)s
  AND (c.matching_sub_industries && %(complements)s::varchar[]
       OR c.matching_sub_industries && %(named)s::varchar[]
       OR c.integrations && %(own_products)s::varchar[]
       OR (cardinality(c.matching_sub_industries) = 0 AND c.industry = ANY(%(industries)s)))
  AND NOT (c.industry = %(industry)s AND c.matching_sub_industries && %(own)s::varchar[])
ORDER BY
    2 * (c.matching_sub_industries && %(named)s::varchar[])::int
    + 2 * (c.integrations && %(own_products)s::varchar[])::int
    + least(3, (SELECT count(*) FROM unnest(c.integrations) i WHERE i = ANY(%(integrations)s)))
    + 2 * (c.business_model IS NOT DISTINCT FROM %(business_model)s)::int
    + (c.headquarters_country IS NOT DISTINCT FROM %(country)s)::int
    + (lower(c.headquarters_city) IS NOT DISTINCT FROM %(city)s)::int
    + c.api_available::int
    DESC, c.id
LIMIT %(pool)s
"""

_BY_INDUSTRY = f"""
SELECT {SCORING_COLUMNS} FROM companies c
WHERE c.deleted_at IS NULL AND c.id <> %(id)s
  AND (c.industry = ANY(%(industries)s) OR c.matching_sub_industries && %(named)s::varchar[])
ORDER BY
    2 * (c.matching_sub_industries && %(named)s::varchar[])::int +
    least(3, (SELECT count(*) FROM unnest(c.integrations) i WHERE i = ANY(%(integrations)s)))
    + 2 * (c.business_model IS NOT DISTINCT FROM %(business_model)s)::int
    + (c.headquarters_country IS NOT DISTINCT FROM %(country)s)::int
    + (lower(c.headquarters_city) IS NOT DISTINCT FROM %(city)s)::int
    DESC, c.id
LIMIT %(pool)s
"""


def load_company(conn: psycopg.Connection, company_id: str) -> dict[str, Any] | None:
    """The live company's scoring fields; None when unknown or deleted."""
    row = (
        cast(Any, conn)
        .execute(f"SELECT {SCORING_COLUMNS} FROM companies WHERE id = %s AND deleted_at IS NULL", (company_id,))
        .fetchone()
    )
    return dict(row) if row else None


def query(company: Mapping[str, Any], pool: int = POOL) -> tuple[str, dict[str, Any]]:
    """The candidate SQL and its parameters for `company` (also what the benchmark EXPLAINs)."""
    own = sorted(kinds(company))
    params = {
        "named": sorted(mentions(company, own)),
        "own_products": products_of(own),
        "id": company["id"],
        "industry": company["industry"],
        "own": own,
        "complements": sorted(complementary_subs(own)),
        "industries": sorted(complementary_industries(str(company["industry"]))),
        "integrations": list(company.get("integrations") or []),
        "business_model": company.get("business_model"),
        "country": company.get("headquarters_country"),
        "city": str(company.get("headquarters_city") or "").lower() or None,
        "pool": pool,
    }
    # Without sub-industries nothing says what the product does: fall back to complementary industries.
    return (_CANDIDATES if own else _BY_INDUSTRY), params


def candidates(conn: psycopg.Connection, company: Mapping[str, Any], pool: int = POOL) -> list[dict[str, Any]]:
    """Up to `pool` live companies worth scoring against `company` (see the module's docstring)."""
    sql, params = query(company, pool)
    return [dict(r) for r in cast(Any, conn).execute(sql, params).fetchall()]
