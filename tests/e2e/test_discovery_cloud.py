"""The partner-discovery chain on the local cloud: a BD manager starts a discovery for their company, the
state machine finds and scores candidates (Map), drafts an outreach and waits for the review; approving
(with an edit) marks it contacted and requests a CRM sync, rejecting ends it `rejected`, silence ends it
`expired` after the review timeout (deployed at REVIEW_TIMEOUT_S here, 7 days by default); strangers get 403.

Progress is polled in the database, not through the API (the demo accounts have 100 requests a minute).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import psycopg
import pytest
from conftest import REVIEW_TIMEOUT_S

import slice_checks as checks
from e2e_cloud import Cloud

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def company_id(embedded: Cloud) -> str:
    """The demo company admin's company (the sample catalog's first company)."""
    email, _ = embedded.demo_account("company_admin")
    with psycopg.connect(embedded.database_url) as conn:
        row = conn.execute("SELECT company_id::text FROM users WHERE lower(email) = lower(%s)", (email,)).fetchone()
    assert row and row[0], "the seed gives the demo company admin a company"
    return str(row[0])


def _row(cloud: Cloud, discovery_id: str) -> dict[str, Any]:
    with psycopg.connect(cloud.database_url) as conn:
        cur = conn.execute("SELECT * FROM discoveries WHERE id = %s", (discovery_id,))
        values = cur.fetchone()
        assert values is not None and cur.description is not None
        return dict(zip([c.name for c in cur.description], values, strict=True))


def _wait_status(cloud: Cloud, discovery_id: str, status: str, timeout: float = 60.0) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def reached() -> bool:
        seen.update(_row(cloud, discovery_id))
        if seen["status"] == "failed" and status != "failed":
            raise AssertionError(f"the run failed: {seen['failures']}")
        return bool(seen["status"] == status)

    try:
        checks.wait_for(reached, timeout=timeout, interval=0.3)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; the run is {seen.get('status')} at {seen.get('current_step')}") from None
    return seen


def _start(cloud: Cloud, company_id: str, **body: Any) -> str:
    response = cloud.http.post("/v1/discoveries", json={"company_id": company_id, "threshold": 0.5, **body})
    assert response.status_code == 202, response.text
    started = response.json()
    assert started["status"] == "started" and response.headers["location"] == f"/v1/discoveries/{started['id']}"
    return str(started["id"])


def _outbox(cloud: Cloud, discovery_id: str) -> list[tuple[str, dict[str, Any]]]:
    with psycopg.connect(cloud.database_url) as conn:
        rows = conn.execute(
            "SELECT topic, envelope FROM outbox WHERE message_key = %s ORDER BY id", (discovery_id,)
        ).fetchall()
    return [(topic, envelope if isinstance(envelope, dict) else json.loads(envelope)) for topic, envelope in rows]


def test_a_discovery_reaches_review_and_an_edited_approval_marks_it_contacted(embedded: Cloud, company_id: str) -> None:
    discovery_id = _start(embedded, company_id)
    started = time.monotonic()
    _wait_status(embedded, discovery_id, "awaiting_review")
    print(f"awaiting review after {time.monotonic() - started:.1f} s")

    run = embedded.http.get(f"/v1/discoveries/{discovery_id}")
    assert run.status_code == 200, run.text
    body = run.json()
    assert body["status"] == "awaiting_review" and body["current_step"] == "HumanReview"
    assert body["execution_arn"].startswith("arn:aws:states:")
    assert body["candidates"] and all(c["score"] is not None for c in body["candidates"])
    assert body["partner_company_id"] in {c["company_id"] for c in body["candidates"] if c["passed"]}
    assert body["draft"]["subject"] and body["draft"]["body"] and body["draft"]["made_by"]["offline"] is True
    assert body["review"]["state"] == "pending" and body["review"]["deadline"]
    assert body["failures"] == []
    notified = [e for t, e in _outbox(embedded, discovery_id) if t == "notification.events"]
    assert [e["event_type"] for e in notified] == ["outreach.review_requested"]

    edited = {"subject": "Предлагаем интеграцию", "body": "Здравствуйте! Давайте созвонимся во вторник."}
    approved = embedded.http.post(f"/v1/outreach/{discovery_id}/approve", json=edited)
    assert approved.status_code == 200, approved.text
    assert approved.json()["review"]["state"] == "approved"
    assert approved.json()["review"]["final"]["subject"] == edited["subject"]

    row = _wait_status(embedded, discovery_id, "contacted")
    assert row["current_step"] == "Contacted" and row["final_message"]["body"] == edited["body"]
    crm = [e for t, e in _outbox(embedded, discovery_id) if t == "crm.integration.events"]
    assert [e["event_type"] for e in crm] == ["crm.sync_requested"]
    assert crm[0]["payload"]["partner_company_id"] == body["partner_company_id"]
    assert crm[0]["payload"]["deal"]["subject"] == edited["subject"]

    again = embedded.http.post(f"/v1/outreach/{discovery_id}/approve", json={})
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM


def test_a_rejected_draft_ends_the_run_rejected(embedded: Cloud, company_id: str) -> None:
    discovery_id = _start(embedded, company_id)
    _wait_status(embedded, discovery_id, "awaiting_review")
    rejected = embedded.http.post(f"/v1/outreach/{discovery_id}/reject", json={"reason": "не наш профиль"})
    assert rejected.status_code == 200, rejected.text
    row = _wait_status(embedded, discovery_id, "rejected")
    assert row["review_state"] == "rejected" and row["reject_reason"] == "не наш профиль"
    assert not [t for t, _ in _outbox(embedded, discovery_id) if t == "crm.integration.events"]
    late = embedded.http.post(f"/v1/outreach/{discovery_id}/approve", json={})
    assert late.status_code == 409, late.text


def test_no_candidate_above_the_threshold_ends_in_no_match(embedded: Cloud, company_id: str) -> None:
    discovery_id = _start(embedded, company_id, threshold=1.0, filters={"limit": 2})
    row = _wait_status(embedded, discovery_id, "no_match")
    assert row["current_step"] == "NoMatch" and len(row["candidates"]) == 2
    assert all(c["passed"] is False for c in row["candidates"])


def test_strangers_get_403_and_an_unanswered_review_expires(embedded: Cloud, company_id: str) -> None:
    discovery_id = _start(embedded, company_id)
    _wait_status(embedded, discovery_id, "awaiting_review")
    with embedded.client_for("paid_user") as stranger:
        start = stranger.post("/v1/discoveries", json={"company_id": company_id})
        assert start.status_code == 403 and start.headers["content-type"] == PROBLEM, start.text
        approve = stranger.post(f"/v1/outreach/{discovery_id}/approve", json={})
        assert approve.status_code == 403, approve.text
        assert stranger.get(f"/v1/discoveries/{discovery_id}").status_code == 403

    row = _wait_status(embedded, discovery_id, "expired", timeout=REVIEW_TIMEOUT_S + 30)
    assert row["review_state"] == "expired" and row["current_step"] == "Expired" and row["task_token"] is None
    late = embedded.http.post(f"/v1/outreach/{discovery_id}/approve", json={})
    assert late.status_code == 409 and late.json()["review_state"] == "expired"


def test_a_failing_step_is_recorded_and_the_execution_fails_visibly(embedded: Cloud, company_id: str) -> None:
    """A run whose FindCandidates cannot work (its input names no valid company) is caught, the step,
    error and cause land on the row, and the execution ends FAILED, not silently dropped."""
    discovery_id = str(uuid.uuid4())
    with psycopg.connect(embedded.database_url) as conn:
        conn.execute(
            "INSERT INTO discoveries (id, company_id, requested_by, threshold) VALUES (%s, %s, 'e2e', 0.5)",
            (discovery_id, company_id),
        )
    sfn = embedded.boto().client("stepfunctions")
    arn = embedded.state.state_machines["PartnerDiscoveryStateMachine"]
    payload = {"discovery_id": discovery_id, "company_id": "not-a-company", "threshold": 0.5, "filters": {}}
    execution = sfn.start_execution(stateMachineArn=arn, name=discovery_id, input=json.dumps(payload))

    row = _wait_status(embedded, discovery_id, "failed")
    assert row["current_step"] == "FindCandidates"
    (failure,) = row["failures"]
    assert failure["step"] == "FindCandidates" and failure["error"] and "not-a-company" in failure["cause"]
    print(f"the failed step's error as Step Functions saw it: {failure['error']}")

    def finished() -> bool:
        return bool(sfn.describe_execution(executionArn=execution["executionArn"])["status"] != "RUNNING")

    checks.wait_for(finished, timeout=30, interval=0.3)
    described = sfn.describe_execution(executionArn=execution["executionArn"])
    assert described["status"] == "FAILED" and described.get("error") == "DiscoveryFailed"


def test_the_scout_reads_the_feeds_starts_discoveries_and_has_companies_enriched(embedded: Cloud) -> None:
    """ScoutFunction (invoked as its schedule would) reads the RSS stand-in's VC.ru and Habr feeds: news
    naming catalog companies become insights, the two naming two companies start discoveries, and the
    named companies are enriched through the queue; a second run stores nothing new."""
    lam = embedded.boto().client("lambda")
    scheduled = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}

    def invoke() -> dict[str, Any]:
        response = lam.invoke(FunctionName=embedded.state.functions["ScoutFunction"], Payload=json.dumps(scheduled))
        assert not response.get("FunctionError"), response["Payload"].read()
        return dict(json.loads(response["Payload"].read()))

    report = invoke()
    assert report["fetched"] == {"vcru": 3, "habr": 2} and report["failed"] == {}
    assert report["stored"] == 3 and len(report["discoveries"]) == 2 and report["enrichments"] == 5

    with psycopg.connect(embedded.database_url) as conn:
        names = conn.execute(
            "SELECT c.name FROM news_insights n JOIN companies c ON c.id = ANY(n.company_ids) ORDER BY c.name"
        ).fetchall()
        started = conn.execute(
            "SELECT d.requested_by, d.trigger->>'kind' FROM discoveries d WHERE d.id = ANY(%s::uuid[])",
            (report["discoveries"],),
        ).fetchall()
    assert [n for (n,) in names] == sorted(["Сделка 24", "ПлатиМаркет", "CropCloud", "Codeio", "SalesTech"])
    assert started == [("agent:scout", "insight")] * 2
    for discovery_id in report["discoveries"]:
        _wait_status(embedded, discovery_id, "awaiting_review")

    def enriched() -> bool:
        with psycopg.connect(embedded.database_url) as conn:
            row = conn.execute(
                "SELECT count(*) FROM companies c WHERE c.ai_sentiment_score IS NOT NULL AND c.id IN "
                "(SELECT unnest(company_ids) FROM news_insights)"
            ).fetchone()
        return bool(row and row[0] == 5)

    checks.wait_for(enriched, timeout=60, interval=0.5)
    again = invoke()
    assert (again["stored"], again["duplicates"], again["discoveries"]) == (0, 3, [])
