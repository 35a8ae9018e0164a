"""The partnerships service as the discovery chain uses it (see `shared.partnerships`), in the shapes the
state machine carries between steps (plain JSON)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.commands import Context
from shared.partnerships import service
from shared.settings import Settings


def suggest_partners(
    settings: Settings, company_id: str, *, limit: int, filters: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Candidates for the company: [{company_id, name}], best first. Companies it already works with (any
    partnership past `suggested`) and `exclude_company_ids` are left out; `industries` narrows them."""
    filters = filters or {}
    industries = set(filters.get("industries") or [])
    excluded = {str(x) for x in filters.get("exclude_company_ids") or []}
    excluded |= service.engaged_partner_ids(settings, company_id)
    pool = service.suggest_partners(settings, company_id, limit=limit + len(excluded) + 50)
    found = [
        {"company_id": str(s.company.id), "name": s.company.name}
        for s in pool
        if str(s.company.id) not in excluded and (not industries or s.company.industry in industries)
    ]
    return found[:limit]


def analyze(settings: Settings, company_a_id: str, company_b_id: str) -> dict[str, Any]:
    """The pair's analysis: {score, criteria: [{name, score, reasons, ...}], synergy_areas, explanation, ...}."""
    analysis = service.analyze(settings, company_a_id, company_b_id).model_dump(mode="json")
    analysis["explanation"] = analysis.get("ai_explanation")
    return analysis


def create_partnership(settings: Settings, a_id: str, b_id: str, ctx: Context, *, analyzed_by_agent: str) -> str:
    """The pair's partnership (status `suggested`, idempotent); its id."""
    return str(service.create_partnership(settings, a_id, b_id, ctx, analyzed_by_agent=analyzed_by_agent).id)


def change_status(settings: Settings, partnership_id: str, status: str, ctx: Context) -> None:
    """Move the partnership (e.g. to `contacted`); the service checks the move and emits its event."""
    service.change_status(settings, partnership_id, status, ctx)


def get_partnership(settings: Settings, partnership_id: str, ctx: Context) -> dict[str, Any]:
    return service.get_partnership(settings, partnership_id, ctx.principal).model_dump(mode="json")


def stalled_partnerships(settings: Settings, *, days: int, limit: int = 500) -> list[dict[str, Any]]:
    """Partnerships in `contacted` or `in_discussion` that have not moved for `days` days."""
    return service.stalled(settings, days=days, limit=limit)
