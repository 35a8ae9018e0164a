"""POST /v1/outreach/{id}/approve (ApproveOutreachFunction): the company's BD manager approves the run's draft,
as written or edited; the waiting HumanReview task gets the final message (here a recording Workflow stands
for Step Functions). A decided or expired review is 409, and nothing is sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.calls import assert_problem, call, principal, request
from functions.partnership_calls import RecordingWorkflow, awaiting_review, catalog_companies, cold_start, with_workflow


@pytest.fixture
def workflow() -> RecordingWorkflow:
    return RecordingWorkflow()


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, workflow: RecordingWorkflow) -> ModuleType:
    module = cold_start(monkeypatch, postgres_url, redis_url, "discovery", "approve_outreach")
    return with_workflow(monkeypatch, module, workflow)


@pytest.fixture(scope="module")
def companies(postgres_url: str) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    with catalog_companies(postgres_url, ("fintech", "payments"), ("ecommerce", "store_builder")) as (own, shop):
        yield own, shop


@pytest.fixture
def run(postgres_url: str, redis_url: str, companies: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
    own, shop = companies
    token = f"token-{uuid.uuid4().hex}"
    discovery_id = awaiting_review(postgres_url, redis_url, own["id"], shop["id"], token)
    return {
        "own": own,
        "shop": shop,
        "id": discovery_id,
        "token": token,
        "path": f"/v1/outreach/{discovery_id}/approve",
    }


def test_an_edited_approval_reaches_the_waiting_task_once(
    fn: ModuleType, run: dict[str, Any], workflow: RecordingWorkflow
) -> None:
    manager = principal("company_admin", company_id=run["own"]["id"])
    answer = call(fn, request("approve_outreach", manager, path=run["path"]))  # the sample's edited subject
    assert answer.status == 200, answer.body
    view = answer.body
    draft = view["draft"]
    assert view["id"] == run["id"] and view["current_step"] == "MarkContacted"
    review = view["review"]
    assert review["state"] == "approved" and review["reviewed_by"] == manager.user_id and review["reviewed_at"]
    final = {"subject": "Интеграция оплаты для ваших магазинов", "body": draft["body"]}
    assert {k: review["final"][k] for k in final} == final
    assert workflow.answers == [(run["token"], {"decision": "approved", **final, "reviewed_by": manager.user_id})]

    again = call(fn, request("approve_outreach", manager, path=run["path"]))
    assert_problem(again, 409)
    assert again.body["review_state"] == "approved" and len(workflow.answers) == 1


def test_without_a_body_the_draft_is_approved_as_written(
    fn: ModuleType, run: dict[str, Any], workflow: RecordingWorkflow
) -> None:
    answer = call(
        fn, request("approve_outreach", principal(user_id=run["own"]["owner_id"]), path=run["path"], body=None)
    )
    assert answer.status == 200, answer.body
    draft = answer.body["draft"]
    assert answer.body["review"]["final"]["subject"] == draft["subject"]
    ((_, output),) = workflow.answers
    assert (output["subject"], output["body"]) == (draft["subject"], draft["body"])


def test_a_review_timed_out_in_the_workflow_is_409_expired(
    fn: ModuleType, run: dict[str, Any], workflow: RecordingWorkflow
) -> None:
    workflow.gone = True
    answer = call(fn, request("approve_outreach", principal(company_id=run["own"]["id"]), path=run["path"]))
    assert_problem(answer, 409)
    assert answer.body["review_state"] == "expired"


def test_a_free_user_and_another_company_are_403_and_nothing_is_sent(
    fn: ModuleType, run: dict[str, Any], workflow: RecordingWorkflow
) -> None:
    free = principal("free_user", company_id=run["own"]["id"])
    assert_problem(call(fn, request("approve_outreach", free, path=run["path"])), 403)
    partner = principal("company_admin", company_id=run["shop"]["id"])
    assert_problem(call(fn, request("approve_outreach", partner, path=run["path"])), 403)
    assert workflow.answers == []


def test_an_unknown_run_is_404(fn: ModuleType) -> None:
    path = "/v1/outreach/00000000-0000-4000-8000-000000000000/approve"
    assert_problem(call(fn, request("approve_outreach", principal(), path=path)), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [({"subject": ""}, "subject"), ({"body": "x" * 10_001}, "body"), ({"to": "ceo@example.ru"}, "to")],
)
def test_bad_edits_are_422_naming_the_field(
    fn: ModuleType, run: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    answer = call(fn, request("approve_outreach", principal(company_id=run["own"]["id"]), path=run["path"], body=body))
    assert_problem(answer, 422, field)


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("approve_outreach")), 401)
