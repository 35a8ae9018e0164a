"""The partnerships service as the discovery chain uses it: its five contract calls, nothing else
(see `shared.partnerships`). Integrating the partnerships branch changes only this file.

Until then the calls have minimal stand-ins, each marked `# INTEGRATE:` with the service call that
replaces it: candidates come from the `companies` table, the analysis is a small rule set over the
companies' own fields, and no partnership row is written (the `partnerships` table is not ours;
the run keeps its own state in `discoveries`, with `partnership_id` left empty).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.commands import Context
from shared.discovery import store
from shared.llm import tasks
from shared.settings import Settings


def suggest_partners(
    settings: Settings, company_id: str, *, limit: int, filters: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Candidates for the company: [{company_id, name}], best first."""
    # INTEGRATE: shared.partnerships.service.suggest_partners(settings, company_id, limit=limit)
    #   -> [{"company_id": s.company_id, "name": s.name}] (filters applied to its result).
    filters = filters or {}
    industries = list(filters.get("industries") or [])
    excluded = [str(x) for x in filters.get("exclude_company_ids") or []]
    conn = store.connect(settings.database_url)
    rows = conn.execute(
        "SELECT c.id::text AS company_id, c.name FROM companies c "
        "WHERE c.id <> %(id)s AND c.deleted_at IS NULL AND c.is_active "
        "AND (cardinality(%(industries)s::text[]) = 0 OR c.industry = ANY(%(industries)s::text[])) "
        "AND NOT (c.id::text = ANY(%(excluded)s::text[])) "
        "ORDER BY c.embedding <=> (SELECT embedding FROM companies WHERE id = %(id)s) NULLS LAST, c.name, c.id "
        "LIMIT %(limit)s",
        {"id": company_id, "industries": industries, "excluded": excluded, "limit": limit},
    ).fetchall()
    conn.commit()
    return [dict(r) for r in rows]


def analyze(settings: Settings, company_a_id: str, company_b_id: str) -> dict[str, Any]:
    """The pair's analysis: {score, criteria: [{name, score, reasons}], synergy_areas, explanation}."""
    # INTEGRATE: shared.partnerships.service.analyze(settings, a, b) -> PairAnalysis (model_dump(mode="json"),
    #   its ai_explanation as "explanation").
    conn = store.connect(settings.database_url)
    a, b = store.company_doc(conn, company_a_id), store.company_doc(conn, company_b_id)
    conn.commit()
    if a is None or b is None:
        raise LookupError(f"company {company_a_id if a is None else company_b_id} is gone")
    analysis = _rules(a, b)
    analysis["explanation"] = tasks.explain_pair(settings, a, b, analysis).text
    return analysis


def create_partnership(settings: Settings, a_id: str, b_id: str, ctx: Context, *, analyzed_by_agent: str) -> str | None:
    """The pair's partnership (status `suggested`, idempotent); its id."""
    # INTEGRATE: return str(shared.partnerships.service.create_partnership(settings, a_id, b_id, ctx,
    #   analyzed_by_agent=analyzed_by_agent).id)
    return None


def change_status(settings: Settings, partnership_id: str | None, status: str, ctx: Context) -> None:
    """Move the partnership (e.g. to `contacted`); the service checks the move and emits its event."""
    # INTEGRATE: shared.partnerships.service.change_status(settings, partnership_id, status, ctx)
    return None


def get_partnership(settings: Settings, partnership_id: str, ctx: Context) -> dict[str, Any] | None:
    # INTEGRATE: shared.partnerships.service.get_partnership(settings, partnership_id, ctx.principal)
    return None


def stalled_partnerships(settings: Settings, *, days: int, limit: int = 500) -> list[dict[str, Any]]:
    """Partnerships in `contacted` or `in_discussion` that have not moved for `days` days (the follow-up
    agent's input): [{id, company_a_id, company_b_id, status, stalled_since}].

    Not one of the five contract calls: the contract has no query for this yet. It reads the seed's
    `partnerships` table (migration 0007 on the partnerships branch) and answers [] while it is absent."""
    # INTEGRATE: a `shared.partnerships.service.stalled(settings, days=..., limit=...)` query in the service.
    conn = store.connect(settings.database_url)
    exists = conn.execute("SELECT to_regclass('partnerships') IS NOT NULL AS ok").fetchone()
    if not exists or not exists["ok"]:  # type: ignore[call-overload]
        conn.commit()
        return []
    rows = conn.execute(
        "SELECT id::text AS id, company_a_id::text AS company_a_id, company_b_id::text AS company_b_id, status, "
        "greatest(updated_at, coalesce(contacted_at, updated_at)) AS stalled_since FROM partnerships "
        "WHERE status IN ('contacted', 'in_discussion') "
        "AND greatest(updated_at, coalesce(contacted_at, updated_at)) < NOW() - make_interval(days => %s) "
        "ORDER BY updated_at LIMIT %s",
        (days, limit),
    ).fetchall()
    conn.commit()
    return [dict(r) for r in rows]


def _rules(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """Stand-in scoring on the seed's criteria (complementary products, shared customers, integrability,
    no direct competition); deterministic, 0..1."""
    subs_a, subs_b = set(a.get("sub_industries") or []), set(b.get("sub_industries") or [])
    tags_a = subs_a | set(a.get("ai_tags") or []) | set(a.get("integrations") or [])
    tags_b = subs_b | set(b.get("ai_tags") or []) | set(b.get("integrations") or [])
    same_industry = a.get("industry") == b.get("industry")
    overlap = sorted(subs_a & subs_b)
    complement = 0.4 if same_industry and overlap else 0.7 if same_industry else 0.9
    shared = sorted(tags_a & tags_b)
    audience = min(
        1.0, 0.5 + 0.1 * len(shared) + (0.2 if a.get("headquarters_city") == b.get("headquarters_city") else 0)
    )
    technical = 0.8 if b.get("api_available") or b.get("integrations") else 0.6
    criteria = [
        _criterion(
            "complementarity",
            complement,
            "продукты дополняют друг друга" if complement > 0.5 else "есть пересечение продуктов",
        ),
        _criterion("audience", audience, "общие клиенты и рынки" if shared else "смежные аудитории"),
        _criterion(
            "integration",
            technical,
            "есть API или готовые интеграции" if technical > 0.6 else "интеграцию придётся строить",
        ),
    ]
    score = round(0.45 * complement + 0.35 * audience + 0.2 * technical, 2)
    areas = shared[:3] or sorted({str(a.get("industry")), str(b.get("industry"))})
    return {"score": min(1.0, score), "criteria": criteria, "synergy_areas": areas}


def _criterion(name: str, score: float, reason: str) -> dict[str, Any]:
    return {"name": name, "score": round(score, 2), "reasons": [reason]}
