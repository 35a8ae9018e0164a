"""The catalog filters as SQL: one definition for `GET /v1/companies` and both sides of `GET /v1/search`.

The clauses name the columns of `companies` (industry, sub_industries, business_model, headquarters_country,
headquarters_city, employees_count, funding_stage, is_verified, ai_tags, integrations). The search read
model `company_search` has generated copies of the same columns under the same names (migration 0006), so
the same clauses filter the list, the Postgres full-text side and the pgvector side alike, and the
semantics cannot drift apart:

* lists given as ``a,b`` mean any of them for industry, sub_industry and funding_stage, and all of them
  for tag and integration;
* city compares without letter case; employees_min/max are inclusive and leave out companies whose size
  is unknown.

Parameters are named (``%(f_industry)s``...), so the clauses can be spliced into statements with named
parameters of their own; values are always parameters, never SQL text.
"""

from __future__ import annotations

from typing import Any

from shared.companies.model import CompanyFilters


def filter_sql(filters: CompanyFilters, *, alias: str = "") -> tuple[list[str], dict[str, Any]]:
    """(clauses to AND together, their named parameters); ``alias`` qualifies the columns (``"c."``)."""
    a = alias
    clauses: list[str] = []
    params: dict[str, Any] = {}

    def add(clause: str, name: str, value: Any) -> None:
        clauses.append(clause)
        params[name] = value

    if filters.industry:
        add(f"{a}industry = ANY(%(f_industry)s)", "f_industry", filters.industry)
    if filters.sub_industry:
        add(f"{a}sub_industries && %(f_sub_industry)s::varchar[]", "f_sub_industry", filters.sub_industry)
    if filters.business_model:
        add(f"{a}business_model = %(f_business_model)s", "f_business_model", filters.business_model)
    if filters.country:
        add(f"{a}headquarters_country = %(f_country)s", "f_country", filters.country)
    if filters.city:
        add(f"lower({a}headquarters_city) = lower(%(f_city)s)", "f_city", filters.city)
    if filters.employees_min is not None:
        add(f"{a}employees_count >= %(f_employees_min)s", "f_employees_min", filters.employees_min)
    if filters.employees_max is not None:
        add(f"{a}employees_count <= %(f_employees_max)s", "f_employees_max", filters.employees_max)
    if filters.funding_stage:
        add(f"{a}funding_stage = ANY(%(f_funding_stage)s)", "f_funding_stage", filters.funding_stage)
    if filters.verified is not None:
        add(f"{a}is_verified = %(f_verified)s", "f_verified", filters.verified)
    if filters.tag:
        add(f"{a}ai_tags @> %(f_tag)s::varchar[]", "f_tag", filters.tag)
    if filters.integration:
        add(f"{a}integrations @> %(f_integration)s::varchar[]", "f_integration", filters.integration)
    return clauses, params
