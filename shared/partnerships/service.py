"""Partnership use cases: suggestions, pair analysis, and the lifecycle of a partnership.

Every command runs in one transaction: lock the partnership's row, check who may act and the move,
update the row, append the event to `partnership_events` (the status history) and to the outbox
(topic `partnership.events`, keyed by the partnership id), and the audit entry. The explanation
(an LLM call) is made before the transaction, so no row lock waits on a provider. The statements are
in `shared.partnerships.store`; this module holds the rules and the transactions around them.

A partnership belongs to both of its companies: their owners, their members (the token's
company_id) and platform admins may read and move it; anyone else gets 403.

Suggestions learn from what BD managers do with them (`shared.partnerships.feedback`): a dismissed
partner is never suggested to that company again, and outcomes (partnerships that went active or were
rejected, dismissals) move each score by a small, bounded prior per kind of pair.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from shared import audit, outbox
from shared.commands import Context
from shared.db import connection
from shared.errors import Conflict, Forbidden, NotFound, Unprocessable
from shared.events import EventEnvelope
from shared.partnerships import store
from shared.partnerships.lifecycle import Status, allowed_moves
from shared.partnerships.model import (
    CompanyBrief,
    CompanyKinds,
    KindProposal,
    OutcomesPatch,
    Partnership,
    PartnershipListQuery,
    PartnershipPage,
    Suggestion,
    SuggestionList,
)
from shared.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Collection

    import psycopg

    from shared.companies.classification import Proposal
    from shared.identity.guard import Principal
    from shared.partnerships.analysis import PairAnalysis
    from shared.partnerships.feedback import OutcomePrior

MATCHED = "partnership.matched"
STATUS_CHANGED = "partnership.status_changed"
UPDATED = "partnership.updated"

logger = Logger(service="algoarts", child=True)


# --- queries -------------------------------------------------------------------------------------------


def suggest_partners(settings: Settings, company_id: str, *, limit: int = 10) -> list[Suggestion]:
    """The best `limit` partners for the company, ranked by score (competitors never among them)."""
    return partner_suggestions(settings, company_id, limit=limit).items


def partner_suggestions(settings: Settings, key: str, *, limit: int = 10) -> SuggestionList:
    """As `suggest_partners`, by id or slug, with how many candidates were scored.

    Partners the company dismissed are left out (the SQL pool is read that much larger, so dismissals never
    shrink it), and the learned outcome prior of `shared.partnerships.feedback` moves each score by at most
    ±feedback.MAX_ADJUSTMENT. Nothing here is cached: a dismissal shows in the very next answer."""

    from shared.companies.classification import stored_proposals
    from shared.partnerships import candidates as cand
    from shared.partnerships import feedback

    conn = connection(settings.database_url)
    try:
        company = _company(conn, key)
        proposals = stored_proposals(conn, company["id"])
        dismissed = feedback.dismissed_ids(conn, company["id"])
        pool = cand.candidates(conn, company, cand.POOL + len(dismissed))
        prior = feedback.outcome_prior(conn, company)
    finally:
        conn.rollback()
    pool = [o for o in pool if o["id"] not in dismissed][: cand.POOL]
    items = rank(company, pool, limit, prior=prior)
    return SuggestionList(
        company_id=company["id"], kinds=company_kinds(company, proposals), items=items, candidates_scored=len(pool)
    )


def company_kinds(company: dict[str, Any], proposals: list[Proposal]) -> CompanyKinds:
    """What matching read the company as: its own codes, else the classifier's confident ones, with the proposals."""
    from shared.partnerships.compatibility import SUB_LABELS, kinds

    source = "user" if company.get("sub_industries") else "model" if company.get("matching_sub_industries") else "none"
    return CompanyKinds(
        matched=sorted(kinds(company)),
        source=source,  # type: ignore[arg-type]
        proposals=[
            KindProposal(code=p.code, label=SUB_LABELS.get(p.code, p.code), confidence=p.confidence, source=p.source)  # type: ignore[arg-type]
            for p in proposals
        ],
    )


def rank(
    company: dict[str, Any],
    pool: list[dict[str, Any]],
    limit: int,
    *,
    dismissed: Collection[str] = (),
    prior: OutcomePrior | None = None,
) -> list[Suggestion]:
    """Score every candidate with `analyze_pair`; drop competitors and `dismissed` ids; best first (ties by
    id: stable). With `prior`, each score moves by the prior's adjustment for the pair (clamped to 0..1) and
    the suggestion's reasons say so (feedback.OUTCOME_REASON_*); `criteria` stay `analyze_pair`'s own."""

    from shared.partnerships import feedback
    from shared.partnerships.compatibility import analyze_pair

    hidden = {str(i) for i in dismissed}
    scored = [
        (analyze_pair(company, other), other)
        for other in pool
        if other["id"] != company["id"] and str(other["id"]) not in hidden
    ]
    ranked: list[tuple[float, float, PairAnalysis, dict[str, Any]]] = []
    for a, o in scored:
        if a.competitor:
            continue
        adjustment = prior.adjustment(company, o) if prior is not None else 0.0
        ranked.append((round(max(0.0, min(1.0, a.score + adjustment)), 2), adjustment, a, o))
    ranked.sort(key=lambda x: (-x[0], x[3]["id"]))
    return [
        Suggestion(
            company=CompanyBrief.model_validate(o),
            score=score,
            criteria=a.criteria,
            match_reasons=[*a.match_reasons, *filter(None, [feedback.OutcomePrior.reason(adjustment)])],
            synergy_areas=a.synergy_areas,
        )
        for score, adjustment, a, o in ranked[:limit]
    ]


def engaged_partner_ids(settings: Settings, company_id: str) -> set[str]:
    """Companies this one already has a partnership with beyond `suggested` (contacted, in discussion,
    active, paused, rejected): a new discovery does not propose them again."""
    conn = connection(settings.database_url)
    try:
        return store.engaged_partners(conn, company_id)
    finally:
        conn.rollback()


def stalled(settings: Settings, *, days: int, limit: int = 500) -> list[dict[str, Any]]:
    """Partnerships in `contacted` or `in_discussion` that have not moved for `days` days (the follow-up
    agent's input), oldest first: [{id, company_a_id, company_b_id, status, stalled_since}]."""
    conn = connection(settings.database_url)
    try:
        return store.stalled(conn, days=days, limit=limit)
    finally:
        conn.rollback()


def analyze(settings: Settings, company_a_id: str, company_b_id: str) -> PairAnalysis:
    """The pair's analysis with the Russian `ai_explanation`; writes nothing."""
    conn = connection(settings.database_url)
    try:
        a, b = _company(conn, company_a_id), _company(conn, company_b_id)
        documents = _documents(conn, a, b)
    finally:
        conn.rollback()
    if a["id"] == b["id"]:
        raise Unprocessable(
            "a company cannot partner with itself", field="company_b_id", ru="Нужны две разные компании"
        )
    return _explained(settings, a, b, documents)


def get_partnership(settings: Settings, partnership_id: str, principal: Principal | None) -> Partnership:
    conn = connection(settings.database_url)
    try:
        row = _row(conn, partnership_id)
        _authorize(conn, principal, row)
    finally:
        conn.rollback()
    return _view(row)


def list_partnerships(settings: Settings, principal: Principal, query: PartnershipListQuery) -> PartnershipPage:
    """The caller's companies' partnerships (all for a platform admin), newest first."""
    conn = connection(settings.database_url)
    try:
        admin = principal.is_platform_admin
        mine = None if admin else store.own_companies(conn, principal.user_id, principal.company_id)
        rows = store.page(
            conn,
            companies=mine,
            company_id=query.company_id,
            status=None if query.status is None else query.status.value,
            limit=query.limit,
        )
    finally:
        conn.rollback()
    return PartnershipPage(items=[_view(r) for r in rows])


# --- commands ------------------------------------------------------------------------------------------


def create_partnership(
    settings: Settings, a_id: str, b_id: str, ctx: Context, *, analyzed_by_agent: str | None = None
) -> Partnership:
    """See `propose_partnership`; the contract other contexts call."""
    return propose_partnership(settings, a_id, b_id, ctx, analyzed_by_agent=analyzed_by_agent)[0]


def propose_partnership(
    settings: Settings, a_id: str, b_id: str, ctx: Context, *, analyzed_by_agent: str | None = None
) -> tuple[Partnership, bool]:
    """(the partnership, whether this call created it): status `suggested`, fields from the analysis,
    `partnership.matched` through the outbox.

    Idempotent for the pair in either order: the existing partnership is returned, nothing is written.
    The caller must act for company A (own it, belong to it, or be a platform admin); the system
    (ctx without a principal: the discovery chain) may pair any two companies."""
    conn = connection(settings.database_url)
    try:
        a, b = _company(conn, a_id), _company(conn, b_id)
        _authorize_company(conn, ctx.principal, a["id"])
        existing = store.pair(conn, a["id"], b["id"])
        documents = _documents(conn, a, b)
    finally:
        conn.rollback()
    if a["id"] == b["id"]:
        raise Unprocessable(
            "a company cannot partner with itself", field="company_b_id", ru="Нужны две разные компании"
        )
    if existing is not None:
        return _view(existing), False
    analysis = _explained(settings, a, b, documents)
    now = datetime.now(UTC)
    with conn.transaction():
        row = store.insert(
            conn,
            company_a_id=a["id"],
            company_b_id=b["id"],
            analysis=analysis,
            analyzed_by_agent=analyzed_by_agent or analysis.analyzed_by_agent,
            created_by=ctx.principal.user_id if ctx.principal else None,
            now=now,
        )
        if row is None:  # lost a race with the same pair: that one stands
            existing = store.pair(conn, a["id"], b["id"])
            assert existing is not None
            return _view(existing), False
        created = row
        seed_payload = {
            "match_id": str(created["id"]),
            "company_a": a["id"],
            "company_b": b["id"],
            "compatibility_score": analysis.score,
        }
        _record(conn, created, MATCHED, seed_payload, ctx, None, Status.SUGGESTED)
    return _view(created), True


def change_status(settings: Settings, partnership_id: str, status: Status | str, ctx: Context) -> Partnership:
    """Only the lifecycle's moves (409 naming the current status and the allowed ones otherwise).

    Repeating the current status is a no-op, so a retried request does not fail."""
    target = Status(status)
    conn = connection(settings.database_url)
    _idle(conn)
    with conn.transaction():
        row = _row(conn, partnership_id, lock=True)
        _authorize(conn, ctx.principal, row)
        current = Status(row["status"])
        paused_from = Status(row["paused_from"]) if row["paused_from"] else None
        if target == current:
            return _view(row)
        moves = allowed_moves(current, paused_from)
        if target not in moves:
            names = ", ".join(moves) or "none (final)"
            raise Conflict(
                f"cannot move a partnership from {current} to {target}; allowed: {names}",
                field="status",
                ru=f"Нельзя перевести партнёрство из статуса {current} в {target}; можно: {names}",
                extensions={"current_status": current.value, "allowed_moves": [m.value for m in moves]},
            )
        new = store.move(
            conn,
            row["id"],
            status=target.value,
            paused_from=current.value if target == Status.PAUSED else None,
            contacted=target == Status.CONTACTED,
            started=target == Status.ACTIVE,
            now=datetime.now(UTC),
        )
        _record(conn, new, STATUS_CHANGED, {"from": current.value, "to": target.value}, ctx, current, target)
    return _view(new)


def record_outcomes(settings: Settings, partnership_id: str, patch: OutcomesPatch, ctx: Context) -> Partnership:
    """Set deal_value / revenue_generated (≥ 0); `partnership.updated` when something changed."""
    changes = {k: v for k, v in patch.changes().items()}
    if changes.get("revenue_generated", 0) is None:
        raise Unprocessable("revenue_generated cannot be cleared", field="revenue_generated", ru="Укажите выручку")
    conn = connection(settings.database_url)
    _idle(conn)
    with conn.transaction():
        row = _row(conn, partnership_id, lock=True)
        _authorize(conn, ctx.principal, row)
        changes = {k: v for k, v in changes.items() if row[k] != v}
        if not changes:
            return _view(row)
        new = store.update(conn, row["id"], changes, datetime.now(UTC))
        previous = {k: row[k] for k in changes}
        _record(conn, new, UPDATED, {"changes": changes, "previous": previous}, ctx, None, None)
    return _view(new)


# --- internals -----------------------------------------------------------------------------------------


def _explained(
    settings: Settings, a: dict[str, Any], b: dict[str, Any], documents: tuple[dict[str, Any], dict[str, Any]]
) -> PairAnalysis:
    """The score, plus the explanation of the whole company documents (what an LLM prompt needs).

    The score never depends on the provider: when the explanation fails the analysis stands, labelled
    `rules` and without `ai_explanation`, rather than refusing to analyse or create."""

    from shared.llm.tasks import explain_pair
    from shared.partnerships.compatibility import analyze_pair

    analysis = analyze_pair(a, b)
    update: dict[str, Any] = {"company_a_id": a["id"], "company_b_id": b["id"]}
    try:
        explanation = explain_pair(settings, documents[0], documents[1], analysis.as_dict())
    except Exception as exc:
        logger.warning("explain_pair failed; keeping the rule-based analysis", extra={"error": type(exc).__name__})
        update.update(ai_explanation=None, analysis_method="rules", analyzed_by_agent="rules:compatibility@v1")
    else:
        made_by = explanation.made_by
        update.update(
            ai_explanation=explanation.text,
            analysis_method="offline" if made_by.offline else "ai",
            analyzed_by_agent=f"{made_by.provider}:{made_by.model}"[:100],
        )
    return analysis.model_copy(update=update)


def _documents(conn: psycopg.Connection, *companies: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    from shared.companies.store import load_view

    docs = []
    for company in companies:
        view = load_view(conn, company["id"])
        docs.append(
            view.model_dump(mode="json") if view else {k: str(v) if k == "id" else v for k, v in company.items()}
        )
    return docs[0], docs[1]


def _company(conn: psycopg.Connection, key: str) -> dict[str, Any]:
    from shared.companies.store import resolve
    from shared.partnerships import candidates as cand

    resolved = resolve(conn, str(key))
    company = cand.load_company(conn, resolved[0]) if resolved else None
    if company is None:
        raise NotFound(f"company {key} not found", field="company_id", ru=f"Компания {key} не найдена")
    return company


def _row(conn: psycopg.Connection, partnership_id: str, *, lock: bool = False) -> dict[str, Any]:
    row = store.load(conn, partnership_id, lock=lock)
    if row is None:
        raise NotFound(
            f"partnership {partnership_id} not found", field="id", ru=f"Партнёрство {partnership_id} не найдено"
        )
    return row


def _may_act(conn: psycopg.Connection, principal: Principal, company_ids: list[str]) -> bool:
    if principal.is_platform_admin or (principal.company_id and principal.company_id in company_ids):
        return True
    return store.owns_any(conn, company_ids, principal.user_id)


def _authorize(conn: psycopg.Connection, principal: Principal | None, row: dict[str, Any]) -> None:
    if principal is None:
        return  # the system (the discovery chain) acts on any partnership
    if not _may_act(conn, principal, [str(row["company_a_id"]), str(row["company_b_id"])]):
        raise Forbidden("this partnership belongs to other companies", ru="Партнёрство принадлежит другим компаниям")


def _authorize_company(conn: psycopg.Connection, principal: Principal | None, company_id: str) -> None:
    if principal is not None and not _may_act(conn, principal, [company_id]):
        raise Forbidden(
            "you can only propose partnerships for your own company",
            field="company_a_id",
            ru="Предложить партнёрство можно только от своей компании",
        )


def _idle(conn: psycopg.Connection) -> None:
    if conn.info.transaction_status != conn.info.transaction_status.IDLE:
        conn.rollback()  # never nest our transaction in an implicit one left open by a read


def _record(  # noqa: PLR0917 - one call shape for the three events
    conn: psycopg.Connection,
    row: dict[str, Any],
    event_type: str,
    payload: dict[str, Any],
    ctx: Context,
    from_status: Status | None,
    to_status: Status | None,
) -> None:
    """The history row, the outbox message and the audit entry, in the caller's transaction."""
    from shared.partnerships.events import partnership_payload  # the payload models: only writers build them

    event_id = uuid.uuid4()
    now = row["updated_at"]
    store.append_history(
        conn,
        event_id,
        row,
        event_type,
        from_status.value if from_status else None,
        to_status.value if to_status else None,
        payload,
        ctx.actor,
        ctx.correlation_id,
    )
    view = _view(row)
    outbox.append(
        conn,
        EventEnvelope(
            event_id=event_id,
            event_type=event_type,
            aggregate_type="partnership",
            aggregate_id=str(row["id"]),
            version=row["version"],
            timestamp=now,
            actor=ctx.actor,
            correlation_id=ctx.correlation_id,
            causation_id=ctx.causation_id,
            payload=partnership_payload(event_type, payload, view),
        ),
    )
    audit.record(
        conn,
        actor_id=ctx.principal.user_id if ctx.principal else None,
        action=event_type,
        resource_type="partnership",
        resource_id=str(row["id"]),
        origin=ctx.origin,
        change=payload,
    )


def _view(row: dict[str, Any]) -> Partnership:
    status = Status(row["status"])
    paused_from = Status(row["paused_from"]) if row.get("paused_from") else None
    return Partnership.model_validate({**row, "allowed_moves": allowed_moves(status, paused_from)})
