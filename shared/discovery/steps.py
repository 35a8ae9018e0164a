"""The chain's steps, one per state-machine function: each reads its slice of the execution state,
does its work, records where the run stands in `discoveries`, and returns what the next state needs.

Steps are retried by the state machine, so each is idempotent: writing the same result twice changes
nothing, and the outbox messages of `mark_contacted` are written once per run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from shared import outbox
from shared.commands import Context
from shared.discovery import ProviderUnavailable, partners, store
from shared.events import EventEnvelope, EventPayload
from shared.llm import tasks
from shared.settings import Settings

AGENT = "agent:discovery"
DEFAULT_CANDIDATES = 5

Step = Callable[[Settings, dict[str, Any]], dict[str, Any]]


def retryable(step: Step) -> Step:
    """Transient failures leave the step as `ProviderUnavailable`, the error name the state machine retries
    with backoff: a model provider's or the database's connection failing, a timeout. Anything else is a
    real failure: it goes straight to the step's Catch and is recorded."""

    @functools.wraps(step)
    def run(settings: Settings, event: dict[str, Any]) -> dict[str, Any]:
        import httpx
        import psycopg

        try:
            return step(settings, event)
        except (httpx.TransportError, psycopg.OperationalError, TimeoutError, ConnectionError) as exc:
            raise ProviderUnavailable(f"{type(exc).__name__}: {exc}") from exc

    return run


@retryable
def find_candidates(settings: Settings, event: dict[str, Any]) -> dict[str, Any]:
    discovery_id, company_id = str(event["discovery_id"]), str(event["company_id"])
    filters = dict(event.get("filters") or {})
    _mark(settings, discovery_id, status="finding_candidates", current_step="FindCandidates")
    found = partners.suggest_partners(
        settings, company_id, limit=int(filters.get("limit") or DEFAULT_CANDIDATES), filters=filters
    )
    candidates = [{"company_id": c["company_id"], "name": c["name"]} for c in found]
    status = "analysing" if candidates else "finding_candidates"
    _mark(settings, discovery_id, status=status, current_step="AnalyzeCandidates", candidates=candidates)
    return {"candidates": candidates}


@retryable
def analyze_candidate(settings: Settings, event: dict[str, Any]) -> dict[str, Any]:
    """One Map item: score the pair; `passed` is [the match] when at or above the threshold, else []
    (the ASL flattens every item's `passed`: JSONPath filters are not portable to emulators)."""
    discovery_id, company_id = str(event["discovery_id"]), str(event["company_id"])
    candidate = dict(event["candidate"])
    analysis = partners.analyze(settings, company_id, str(candidate["company_id"]))
    score = float(analysis["score"])
    passed = score >= float(event["threshold"])
    result = {
        "company_id": str(candidate["company_id"]),
        "name": candidate.get("name"),
        "score": score,
        "passed": passed,
        "synergy_areas": analysis.get("synergy_areas", []),
        "criteria": analysis.get("criteria", []),
        "explanation": analysis.get("explanation"),
    }
    conn = store.connect(settings.database_url)
    store.merge_candidate(conn, discovery_id, result["company_id"], result)
    conn.commit()
    match = {k: result[k] for k in ("company_id", "name", "score")}
    return {"company_id": result["company_id"], "score": score, "passed": [match] if passed else []}


@retryable
def write_outreach(settings: Settings, event: dict[str, Any]) -> dict[str, Any]:
    """The outreach agent: a first message to the best match, from the stored analysis."""
    discovery_id, company_id = str(event["discovery_id"]), str(event["company_id"])
    matches = list(event["matches"])
    best = max(matches, key=lambda m: float(m.get("score") or 0))
    conn = store.connect(settings.database_url)
    _mark(settings, discovery_id, status="writing", current_step="WriteOutreach")
    row = store.get(conn, discovery_id)
    sender, recipient = store.company_doc(conn, company_id), store.company_doc(conn, str(best["company_id"]))
    conn.commit()
    if row is None or sender is None or recipient is None:
        raise LookupError(f"discovery {discovery_id} or one of its companies is gone")
    analysis = next((c for c in row["candidates"] if c.get("company_id") == best["company_id"]), best)
    draft = tasks.write_outreach(settings, sender, recipient, analysis)
    _mark(
        settings,
        discovery_id,
        partner_company_id=str(best["company_id"]),
        draft=draft.model_dump(mode="json"),
        current_step="HumanReview",
    )
    return {"partner_company_id": str(best["company_id"]), "subject": draft.subject}


@retryable
def request_review(settings: Settings, event: dict[str, Any]) -> dict[str, Any]:
    """Keep the callback token with the draft and tell the company's BD managers (notification.events)."""
    from shared.discovery.events import OutreachReviewRequested, ReviewLinks

    discovery_id = str(event["discovery_id"])
    timeout = int(event["review_timeout_seconds"])
    deadline = datetime.now(UTC) + timedelta(seconds=timeout)
    conn = store.connect(settings.database_url)
    with conn.transaction():
        current = store.get(conn, discovery_id, lock=True)
        if current is None:
            raise LookupError(f"no discovery {discovery_id}")
        row = store.update(
            conn,
            discovery_id,
            status="awaiting_review",
            current_step="HumanReview",
            task_token=str(event["task_token"]),
            review_state="pending",
            review_deadline=deadline,
        )
        review = OutreachReviewRequested(
            kind="outreach_review_requested",
            discovery_id=discovery_id,
            company_id=str(row["company_id"]),
            partner_company_id=str(row["partner_company_id"]) if row["partner_company_id"] else None,
            user_ids=store.company_users(conn, str(row["company_id"])),
            subject=(row["draft"] or {}).get("subject"),
            review_deadline=deadline,
            links=ReviewLinks(review=f"/v1/discoveries/{discovery_id}"),
        )
        _emit(conn, row, "outreach.review_requested", review)
    conn.commit()
    return {"review_deadline": deadline.isoformat()}


@retryable
def mark_contacted(settings: Settings, event: dict[str, Any]) -> dict[str, Any]:
    """Approved: the partnership moves to `contacted` and the CRM hub is asked to sync (crm.integration.events)."""
    from shared.discovery.events import CrmSyncRequested, Deal

    discovery_id = str(event["discovery_id"])
    review = dict(event.get("review") or {})
    conn = store.connect(settings.database_url)
    with conn.transaction():
        row = store.get(conn, discovery_id, lock=True)
        if row is None:
            raise LookupError(f"no discovery {discovery_id}")
        if row["status"] == "contacted":  # a retried step: done already
            return {"status": "contacted", "partnership_id": _str(row["partnership_id"])}
        company_id, partner_id = str(row["company_id"]), _str(row["partner_company_id"])
    conn.commit()
    ctx = Context(actor_label=str(review.get("reviewed_by") or AGENT), correlation_id=discovery_id)
    assert partner_id is not None, "an approved draft always names its partner"
    partnership_id = partners.create_partnership(settings, company_id, partner_id, ctx, analyzed_by_agent=AGENT)
    partners.change_status(settings, partnership_id, "contacted", ctx)
    with conn.transaction():
        row = store.get(conn, discovery_id, lock=True)
        assert row is not None
        if row["status"] == "contacted":
            return {"status": "contacted", "partnership_id": _str(row["partnership_id"])}
        row = store.update(
            conn, discovery_id, status="contacted", current_step="Contacted", partnership_id=partnership_id
        )
        # The review's own text first: it is what the BD manager approved, even if the API's commit was lost.
        message = review if review.get("body") else row["final_message"] or row["draft"] or {}
        sync = CrmSyncRequested(
            company_id=company_id,
            partner_company_id=partner_id,
            partnership_id=partnership_id,
            discovery_id=discovery_id,
            crm_type=None,  # the CRM hub pushes to whichever CRM the company connected
            sync_direction="push",
            deal=Deal(stage="contacted", subject=message.get("subject"), body=message.get("body")),
        )
        _emit(conn, row, "crm.sync_requested", sync)
    conn.commit()
    return {"status": "contacted", "partnership_id": partnership_id}


OUTCOMES = {"no_match": "NoMatch", "rejected": "Rejected", "expired": "Expired"}


@retryable
def record_outcome(settings: Settings, event: dict[str, Any]) -> dict[str, Any]:
    """The run's end: no match, rejected, expired (review timed out), or failed (step, error, cause)."""
    discovery_id, outcome = str(event["discovery_id"]), str(event["outcome"])
    conn = store.connect(settings.database_url)
    with conn.transaction():
        if outcome == "failed":
            error = dict(event.get("error") or {})
            failure = {
                "step": str(event.get("step") or "unknown"),
                "error": str(error.get("Error") or "unknown"),
                "cause": _cause(error.get("Cause")),
                "at": datetime.now(UTC).isoformat(),
            }
            store.append_failure(conn, discovery_id, failure)
        elif outcome in OUTCOMES:
            fields: dict[str, Any] = {"status": outcome, "current_step": OUTCOMES[outcome], "task_token": None}
            if outcome == "expired":
                fields["review_state"] = "expired"
            row = store.update(conn, discovery_id, **fields)
            if outcome == "no_match":
                _emit(conn, row, "discovery.no_match", _no_match(conn, row))
        else:
            raise ValueError(f"unknown outcome {outcome!r}")
    conn.commit()
    return {"discovery_id": discovery_id, "status": outcome}


def _no_match(conn: Any, row: dict[str, Any]) -> EventPayload:
    from shared.discovery.events import DiscoveryNoMatch

    scores = [float(c["score"]) for c in row["candidates"] or [] if c.get("score") is not None]
    return DiscoveryNoMatch(
        kind="discovery_no_match",
        discovery_id=str(row["id"]),
        company_id=str(row["company_id"]),
        user_ids=store.company_users(conn, str(row["company_id"])),
        threshold=float(row["threshold"]),
        candidates=len(row["candidates"] or []),
        best_score=max(scores) if scores else None,
    )


def _cause(cause: Any) -> str:
    """Lambda failures carry a JSON document ({errorType, errorMessage, trace}): keep the message."""
    import json

    text = str(cause or "")
    try:
        doc = json.loads(text)
    except ValueError:
        return text[:2000]
    if isinstance(doc, dict) and "errorMessage" in doc:
        return f"{doc.get('errorType', '')}: {doc['errorMessage']}"[:2000]
    return text[:2000]


def _mark(settings: Settings, discovery_id: str, **fields: Any) -> None:
    conn = store.connect(settings.database_url)
    with conn.transaction():
        store.update(conn, discovery_id, **fields)
    conn.commit()


def _emit(conn: Any, row: dict[str, Any], event_type: str, payload: EventPayload) -> None:
    """The message on its registered topic (shared/events.py EVENTS), in the caller's transaction."""
    envelope = EventEnvelope(
        event_type=event_type,
        aggregate_type="discovery",
        aggregate_id=str(row["id"]),
        version=int(row["version"]),
        correlation_id=str(row["id"]),
        actor=AGENT,
        payload=payload,
    )
    outbox.append(conn, envelope)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
