"""Starting a discovery, reading where it stands, and the BD manager's review of its draft.

Review answers go to the waiting state machine as SendTaskSuccess with `decision` "approved" or
"rejected" (a rejection is a normal outcome, not a task failure, so it never mixes with real errors
in Catch). The answer is sent while the row is locked and committed only after Step Functions
accepted it: a token that timed out meanwhile gives 409 and changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from shared.commands import Context
from shared.discovery import store
from shared.discovery.model import (
    ApproveOutreach,
    Discovery,
    DiscoveryStarted,
    Draft,
    RejectOutreach,
    Review,
    StartDiscovery,
)
from shared.discovery.workflow import TaskGone, Workflow
from shared.errors import Conflict, NotFound
from shared.identity.guard import Principal, require_company_access
from shared.settings import Settings


def start(settings: Settings, ctx: Context, request: StartDiscovery, workflow: Workflow) -> DiscoveryStarted:
    """A run for a company the caller owns or administers (a system actor, e.g. the scout, may start any)."""
    return start_for(
        settings,
        ctx,
        request.company_id,
        workflow,
        threshold=request.threshold,
        filters=request.filters.model_dump(),
        trigger={"kind": "request"},
    )


def start_for(
    settings: Settings,
    ctx: Context,
    company_id: str,
    workflow: Workflow,
    *,
    threshold: float,
    filters: dict[str, Any],
    trigger: dict[str, Any],
) -> DiscoveryStarted:
    conn = store.connect(settings.database_url)
    company = store.company_doc(conn, company_id)
    conn.commit()
    if company is None:
        raise NotFound(f"no company {company_id}", ru=f"Компания {company_id} не найдена", field="company_id")
    if ctx.principal is not None:
        require_company_access(ctx.principal, company_id, company["owner_id"])
    discovery_id = str(uuid.uuid4())
    with conn.transaction():
        store.insert(
            conn,
            discovery_id=discovery_id,
            company_id=company_id,
            requested_by=str(ctx.actor or "system"),
            trigger={**trigger, "filters": filters},
            threshold=threshold,
        )
    conn.commit()
    payload = {"discovery_id": discovery_id, "company_id": company_id, "threshold": threshold, "filters": filters}
    try:
        arn = workflow.start(settings.require("discovery_state_machine_arn"), discovery_id, payload)
    except Exception as exc:
        with conn.transaction():
            failure = {"step": "Start", "error": type(exc).__name__, "cause": str(exc)[:2000], "at": _now()}
            store.append_failure(conn, discovery_id, failure)
        conn.commit()
        raise
    with conn.transaction():
        store.update(conn, discovery_id, execution_arn=arn)
    conn.commit()
    return DiscoveryStarted(id=discovery_id, status="started")


def get(settings: Settings, principal: Principal, discovery_id: str) -> Discovery:
    conn = store.connect(settings.database_url)
    row = store.get(conn, discovery_id) if _is_uuid(discovery_id) else None
    conn.commit()
    if row is None:
        raise _not_found(discovery_id)
    _authorize(principal, row)
    return view(row)


def approve(
    settings: Settings, ctx: Context, discovery_id: str, edits: ApproveOutreach, workflow: Workflow
) -> Discovery:
    def answer(row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        draft = row["draft"] or {}
        final = {"subject": edits.subject or draft.get("subject"), "body": edits.body or draft.get("body")}
        fields = {"review_state": "approved", "final_message": final}
        return {"decision": "approved", **final}, fields

    return _decide(settings, ctx, discovery_id, workflow, answer)


def reject(
    settings: Settings, ctx: Context, discovery_id: str, request: RejectOutreach, workflow: Workflow
) -> Discovery:
    def answer(row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return {"decision": "rejected", "reason": request.reason}, {
            "review_state": "rejected",
            "reject_reason": request.reason,
        }

    return _decide(settings, ctx, discovery_id, workflow, answer)


def _decide(settings: Settings, ctx: Context, discovery_id: str, workflow: Workflow, answer: Any) -> Discovery:
    assert ctx.principal is not None
    conn = store.connect(settings.database_url)
    with conn.transaction():
        row = store.get(conn, discovery_id, lock=True) if _is_uuid(discovery_id) else None
        if row is None:
            raise _not_found(discovery_id)
        _authorize(ctx.principal, row)
        _check_open(row)
        output, fields = answer(row)
        output["reviewed_by"] = ctx.actor
        try:
            workflow.succeed(str(row["task_token"]), output)
        except TaskGone:
            raise _closed("expired") from None
        row = store.update(
            conn,
            discovery_id,
            **fields,
            reviewed_by=ctx.actor,
            reviewed_at=datetime.now(UTC),
            task_token=None,
            current_step="MarkContacted" if output["decision"] == "approved" else "RecordRejection",
        )
        full = store.get(conn, discovery_id)
    conn.commit()
    assert full is not None
    return view(full)


def _check_open(row: dict[str, Any]) -> None:
    state = row["review_state"]
    if state in ("approved", "rejected", "expired"):
        raise _closed(state)
    if row["status"] == "expired":
        raise _closed("expired")
    if state != "pending" or not row["task_token"]:
        raise Conflict(
            f"the draft is not awaiting review (status {row['status']})",
            ru=f"Черновик не ожидает проверки (статус {row['status']})",
            extensions={"status": row["status"]},
        )
    deadline = row["review_deadline"]
    if deadline is not None and deadline <= datetime.now(UTC):
        raise _closed("expired")


def _closed(state: str) -> Conflict:
    words = {"approved": "одобрен", "rejected": "отклонён", "expired": "просрочен"}
    return Conflict(
        f"the draft is already {state}",
        ru=f"Черновик уже {words.get(state, state)}",
        extensions={"review_state": state},
    )


def _authorize(principal: Principal, row: dict[str, Any]) -> None:
    owner = row.get("company_owner_id")
    require_company_access(principal, str(row["company_id"]), str(owner) if owner else None)


def _not_found(discovery_id: str) -> NotFound:
    return NotFound(f"no discovery {discovery_id}", ru=f"Поиск партнёров {discovery_id} не найден")


def view(row: dict[str, Any]) -> Discovery:
    draft = row["draft"]
    final = row["final_message"]
    return Discovery(
        id=str(row["id"]),
        company_id=str(row["company_id"]),
        status=row["status"],
        current_step=row["current_step"],
        execution_arn=row["execution_arn"],
        threshold=float(row["threshold"]),
        trigger=row["trigger"],
        candidates=row["candidates"],
        partner_company_id=_str(row["partner_company_id"]),
        partnership_id=_str(row["partnership_id"]),
        draft=Draft.model_validate(draft) if draft else None,
        review=Review(
            state=row["review_state"],
            deadline=row["review_deadline"],
            reviewed_by=row["reviewed_by"],
            reviewed_at=row["reviewed_at"],
            reason=row["reject_reason"],
            final=Draft.model_validate(final) if final else None,
        ),
        failures=row["failures"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _now() -> str:
    return datetime.now(UTC).isoformat()
