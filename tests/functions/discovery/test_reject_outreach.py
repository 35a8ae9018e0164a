"""POST /v1/outreach/{id}/reject (RejectOutreachFunction): the company's BD manager rejects the run's draft
with a reason; the waiting HumanReview task gets the rejection (here a recording Workflow stands for Step
Functions) and the run heads for `rejected`. A decided review is 409, and nothing is sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.calls import assert_problem, call, principal, request
from functions.partnership_calls import RecordingWorkflow, awaiting_review, catalog_companies, cold_start, with_workflow

REASON = "Не наш профиль клиентов: они работают только с B2C"  # the sample event's


@pytest.fixture
def workflow() -> RecordingWorkflow:
    return RecordingWorkflow()


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, workflow: RecordingWorkflow) -> ModuleType:
    module = cold_start(monkeypatch, postgres_url, redis_url, "discovery", "reject_outreach")
    return with_workflow(monkeypatch, module, workflow)


@pytest.fixture(scope="module")
def companies(postgres_url: str) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    with catalog_companies(postgres_url, ("fintech", "accounting"), ("retailtech", "pos")) as (own, shop):
        yield own, shop


@pytest.fixture
def run(postgres_url: str, redis_url: str, companies: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
    own, shop = companies
    token = f"token-{uuid.uuid4().hex}"
    discovery_id = awaiting_review(postgres_url, redis_url, own["id"], shop["id"], token)
    return {"own": own, "shop": shop, "id": discovery_id, "token": token, "path": f"/v1/outreach/{discovery_id}/reject"}


def test_a_rejection_with_its_reason_reaches_the_waiting_task_once(
    fn: ModuleType, run: dict[str, Any], workflow: RecordingWorkflow
) -> None:
    manager = principal("company_admin", company_id=run["own"]["id"])
    answer = call(fn, request("reject_outreach", manager, path=run["path"]))
    assert answer.status == 200, answer.body
    view = answer.body
    assert view["id"] == run["id"] and view["current_step"] == "RecordRejection"
    assert view["review"]["state"] == "rejected" and view["review"]["reason"] == REASON
    assert view["review"]["reviewed_by"] == manager.user_id and view["review"]["final"] is None
    assert workflow.answers == [
        (run["token"], {"decision": "rejected", "reason": REASON, "reviewed_by": manager.user_id})
    ]

    owner = principal(user_id=run["own"]["owner_id"])
    again = call(fn, request("reject_outreach", owner, path=run["path"], body={"reason": "передумали"}))
    assert_problem(again, 409)
    assert again.body["review_state"] == "rejected" and len(workflow.answers) == 1


def test_a_free_user_and_another_company_are_403_and_nothing_is_sent(
    fn: ModuleType, run: dict[str, Any], workflow: RecordingWorkflow
) -> None:
    free = principal("free_user", company_id=run["own"]["id"])
    assert_problem(call(fn, request("reject_outreach", free, path=run["path"])), 403)
    partner = principal("company_admin", company_id=run["shop"]["id"])
    assert_problem(call(fn, request("reject_outreach", partner, path=run["path"])), 403)
    assert workflow.answers == []


def test_an_unknown_run_is_404(fn: ModuleType) -> None:
    path = "/v1/outreach/00000000-0000-4000-8000-000000000000/reject"
    assert_problem(call(fn, request("reject_outreach", principal(), path=path)), 404)


@pytest.mark.parametrize("body", [{}, {"reason": ""}, None])
def test_a_rejection_without_a_reason_is_422(fn: ModuleType, run: dict[str, Any], body: dict[str, Any] | None) -> None:
    answer = call(fn, request("reject_outreach", principal(company_id=run["own"]["id"]), path=run["path"], body=body))
    assert_problem(answer, 422, "reason" if body is not None else "body")


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("reject_outreach")), 401)
