"""The discovery chain's steps and review commands against a real Postgres: the `discoveries` row follows
every step, the review is answered once (409 after), a stranger gets 403, and the outbox carries the
notification and the CRM sync request. Step Functions is the e2e tier's (test_discovery_cloud.py); here a
recording double of the Workflow port stands for it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.commands import Context
from shared.companies import service as companies
from shared.companies.model import CompanyCreate
from shared.discovery import service, steps, store
from shared.discovery.model import ApproveOutreach, DiscoveryFilters, RejectOutreach, StartDiscovery
from shared.discovery.workflow import TaskGone
from shared.errors import Conflict, Forbidden
from shared.identity.guard import Principal
from shared.settings import Settings


@dataclass
class RecordingWorkflow:
    started: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    answers: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    gone: bool = False

    def start(self, state_machine_arn: str, name: str, payload: dict[str, Any]) -> str:
        self.started.append((state_machine_arn, name, payload))
        return f"arn:aws:states:us-east-1:000000000000:execution:discovery:{name}"

    def succeed(self, task_token: str, output: dict[str, Any]) -> None:
        if self.gone:
            raise TaskGone("TaskTimedOut")
        self.answers.append((task_token, output))


@pytest.fixture
def settings(postgres_url: str) -> Settings:
    return Settings(
        database_url=postgres_url,
        redis_url="redis://127.0.0.1:9",
        discovery_state_machine_arn="arn:aws:states:us-east-1:000000000000:stateMachine:discovery",
    )


def _company(settings: Settings, name: str, industry: str, **fields: Any) -> str:
    command = CompanyCreate(name=f"{name} {uuid.uuid4().hex[:6]}", industry=industry, **fields)
    return str(companies.create_company(settings, command, Context()).id)


def _principal(company_id: str | None) -> Principal:
    return Principal(
        user_id=str(uuid.uuid4()),
        email="bd@example.com",
        roles=("company_admin",),
        permissions=("partnership:write", "partnership:read"),
        company_id=company_id,
        jti=uuid.uuid4().hex,
        iat=0,
        exp=2**31,
    )


@pytest.fixture
def catalog(settings: Settings) -> dict[str, str]:
    own = _company(settings, "Касса", "fintech", sub_industries=["payments"], headquarters_city="Москва")
    books = _company(
        settings, "Бухучёт", "fintech", sub_industries=["accounting"], headquarters_city="Москва", api_available=True
    )
    shop = _company(settings, "Магазин", "ecommerce", sub_industries=["store_builder"], headquarters_city="Казань")
    return {"own": own, "books": books, "shop": shop}


def _run_to_review(settings: Settings, own: str, partners: list[str], workflow: RecordingWorkflow) -> str:
    ctx = Context(principal=_principal(own))
    started = service.start(
        settings, ctx, StartDiscovery(company_id=own, threshold=0.5, filters=DiscoveryFilters(limit=20)), workflow
    )
    _, name, payload = workflow.started[-1]
    assert name == started.id and payload["company_id"] == own
    found = steps.find_candidates(settings, payload)["candidates"]
    ids = {c["company_id"] for c in found}
    assert set(partners) <= ids and own not in ids
    analysed = [
        steps.analyze_candidate(settings, {**payload, "candidate": c}) for c in found if c["company_id"] in partners
    ]
    matches = [m for a in analysed for m in a["passed"]]
    assert matches, analysed
    steps.write_outreach(settings, {**payload, "matches": matches})
    steps.request_review(settings, {"discovery_id": started.id, "task_token": "token-1", "review_timeout_seconds": 60})
    return started.id


def _row(settings: Settings, discovery_id: str) -> dict[str, Any]:
    from shared.db import connection

    conn = connection(settings.database_url)
    row = store.get(conn, discovery_id)
    conn.commit()
    assert row is not None
    return row


def _outbox(pg: Any, discovery_id: str) -> list[tuple[str, str]]:
    rows = pg.execute(
        "SELECT topic, envelope->>'event_type' AS type FROM outbox WHERE message_key = %s ORDER BY id", (discovery_id,)
    ).fetchall()
    pg.commit()
    return [(r["topic"], r["type"]) for r in rows]


def test_a_run_is_recorded_step_by_step_and_an_approval_is_sent_once(
    settings: Settings, catalog: dict[str, str], pg: Any
) -> None:
    workflow = RecordingWorkflow()
    discovery_id = _run_to_review(settings, catalog["own"], [catalog["books"], catalog["shop"]], workflow)
    row = _row(settings, discovery_id)
    assert row["status"] == "awaiting_review" and row["review_state"] == "pending" and row["task_token"] == "token-1"
    assert row["execution_arn"].endswith(discovery_id)
    scored = {c["company_id"]: c for c in row["candidates"] if c.get("score") is not None}
    assert set(scored) == {catalog["books"], catalog["shop"]}
    assert row["partner_company_id"] is not None and row["draft"]["subject"]
    assert _outbox(pg, discovery_id) == [("notification.events", "outreach.review_requested")]

    owner = Context(principal=_principal(catalog["own"]))
    stranger = Context(principal=_principal(catalog["books"]))
    with pytest.raises(Forbidden):
        service.approve(settings, stranger, discovery_id, ApproveOutreach(), workflow)
    with pytest.raises(Forbidden):
        service.get(settings, stranger.principal, discovery_id)  # type: ignore[arg-type]

    decided = service.approve(settings, owner, discovery_id, ApproveOutreach(subject="Новая тема"), workflow)
    assert decided.review.state == "approved" and decided.review.final is not None
    assert decided.review.final.subject == "Новая тема" and decided.review.final.body == row["draft"]["body"]
    assert workflow.answers == [
        ("token-1", {"decision": "approved", "subject": "Новая тема", "body": row["draft"]["body"],
                     "reviewed_by": owner.actor}),
    ]  # fmt: skip
    with pytest.raises(Conflict):
        service.approve(settings, owner, discovery_id, ApproveOutreach(), workflow)

    review = workflow.answers[0][1]
    steps.mark_contacted(settings, {"discovery_id": discovery_id, "review": review})
    steps.mark_contacted(settings, {"discovery_id": discovery_id, "review": review})  # a retried step
    assert _row(settings, discovery_id)["status"] == "contacted"
    assert _outbox(pg, discovery_id) == [
        ("notification.events", "outreach.review_requested"),
        ("crm.integration.events", "crm.sync_requested"),
    ]


def test_reject_expire_and_a_timed_out_token(settings: Settings, catalog: dict[str, str]) -> None:
    workflow = RecordingWorkflow()
    owner = Context(principal=_principal(catalog["own"]))
    rejected = _run_to_review(settings, catalog["own"], [catalog["books"]], workflow)
    service.reject(settings, owner, rejected, RejectOutreach(reason="не сейчас"), workflow)
    assert workflow.answers[-1][1]["decision"] == "rejected"
    steps.record_outcome(settings, {"discovery_id": rejected, "outcome": "rejected"})
    row = _row(settings, rejected)
    assert (row["status"], row["review_state"], row["reject_reason"]) == ("rejected", "rejected", "не сейчас")

    late = _run_to_review(settings, catalog["own"], [catalog["books"]], workflow)
    workflow.gone = True  # Step Functions timed the task out before the row said so
    with pytest.raises(Conflict):
        service.approve(settings, owner, late, ApproveOutreach(), workflow)
    assert _row(settings, late)["review_state"] == "pending"  # nothing changed
    steps.record_outcome(settings, {"discovery_id": late, "outcome": "expired"})
    row = _row(settings, late)
    assert (row["status"], row["review_state"], row["task_token"]) == ("expired", "expired", None)

    workflow.gone = False
    past = _run_to_review(settings, catalog["own"], [catalog["books"]], workflow)
    from shared.db import connection

    conn = connection(settings.database_url)
    with conn.transaction():
        store.update(conn, past, review_deadline=datetime.now(UTC) - timedelta(seconds=1))
    conn.commit()
    with pytest.raises(Conflict, match="expired"):
        service.reject(settings, owner, past, RejectOutreach(reason="x"), workflow)


def test_a_failed_step_is_recorded_with_its_error_and_cause(settings: Settings, catalog: dict[str, str]) -> None:
    workflow = RecordingWorkflow()
    ctx = Context(principal=_principal(catalog["own"]))
    started = service.start(settings, ctx, StartDiscovery(company_id=catalog["own"]), workflow)
    cause = '{"errorType": "ProviderUnavailable", "errorMessage": "YandexGPT answered 503", "trace": []}'
    steps.record_outcome(
        settings,
        {
            "discovery_id": started.id,
            "outcome": "failed",
            "step": "WriteOutreach",
            "error": {"Error": "ProviderUnavailable", "Cause": cause},
        },
    )
    view = service.get(settings, ctx.principal, started.id)  # type: ignore[arg-type]
    assert view.status == "failed" and view.current_step == "WriteOutreach"
    assert [(f.step, f.error, f.cause) for f in view.failures] == [
        ("WriteOutreach", "ProviderUnavailable", "ProviderUnavailable: YandexGPT answered 503")
    ]


def test_a_start_for_another_company_is_403_and_nothing_is_started(settings: Settings, catalog: dict[str, str]) -> None:
    workflow = RecordingWorkflow()
    with pytest.raises(Forbidden):
        service.start(
            settings,
            Context(principal=_principal(catalog["books"])),
            StartDiscovery(company_id=catalog["own"]),
            workflow,
        )
    assert workflow.started == []
