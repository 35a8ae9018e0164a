"""POST /v1/discoveries (StartDiscoveryFunction): 202 and the run's address; the partner-discovery state
machine is started for a company the caller administers (here a recording Workflow stands for Step
Functions, which the e2e tier runs), and the run's row records the execution."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.calls import assert_problem, call, principal, request
from functions.partnership_calls import (
    DISCOVERY_ARN,
    RecordingWorkflow,
    catalog_companies,
    cold_start,
    count,
    with_workflow,
)


@pytest.fixture
def workflow() -> RecordingWorkflow:
    return RecordingWorkflow()


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, workflow: RecordingWorkflow) -> ModuleType:
    module = cold_start(monkeypatch, postgres_url, redis_url, "discovery", "start_discovery")
    return with_workflow(monkeypatch, module, workflow)


@pytest.fixture(scope="module")
def own(postgres_url: str) -> Iterator[dict[str, Any]]:
    with catalog_companies(postgres_url, ("fintech", "payments")) as (company,):
        yield company


def test_a_run_is_started_and_answered_202_with_its_address(
    fn: ModuleType, own: dict[str, Any], workflow: RecordingWorkflow, postgres_url: str
) -> None:
    admin = principal("company_admin", company_id=own["id"])
    body = {"company_id": own["id"], "threshold": 0.7, "filters": {"industries": ["ecommerce"], "limit": 3}}
    answer = call(fn, request("start_discovery", admin, body=body))
    assert answer.status == 202, answer.body
    run = answer.body["id"]
    assert answer.body == {"id": run, "status": "started"}
    assert answer.headers["Location"] == f"/v1/discoveries/{run}"
    filters = {"industries": ["ecommerce"], "exclude_company_ids": [], "limit": 3}
    assert workflow.started == [
        (DISCOVERY_ARN, run, {"discovery_id": run, "company_id": own["id"], "threshold": 0.7, "filters": filters})
    ]
    recorded = "SELECT count(*) FROM discoveries WHERE id = %s AND execution_arn LIKE %s AND requested_by = %s"
    assert count(postgres_url, recorded, run, f"%:{run}", admin.user_id) == 1


def test_the_owner_may_start_one_with_the_defaults(
    fn: ModuleType, own: dict[str, Any], workflow: RecordingWorkflow
) -> None:
    answer = call(fn, request("start_discovery", principal(user_id=own["owner_id"]), body={"company_id": own["id"]}))
    assert answer.status == 202, answer.body
    ((_, _, payload),) = workflow.started
    assert payload["threshold"] == 0.6 and payload["filters"]["limit"] == 5


def test_a_free_user_and_a_stranger_are_403_and_nothing_starts(
    fn: ModuleType, own: dict[str, Any], workflow: RecordingWorkflow
) -> None:
    body = {"company_id": own["id"]}
    assert_problem(call(fn, request("start_discovery", principal("free_user", company_id=own["id"]), body=body)), 403)
    assert_problem(call(fn, request("start_discovery", principal("company_admin"), body=body)), 403)
    assert workflow.started == []


def test_an_unknown_company_is_404(fn: ModuleType, workflow: RecordingWorkflow) -> None:
    body = {"company_id": "00000000-0000-4000-8000-000000000000"}
    assert_problem(call(fn, request("start_discovery", principal(), body=body)), 404, "company_id")
    assert workflow.started == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"company_id": "platezhpro"}, "company_id"),
        ({"company_id": "00000000-0000-4000-8000-000000000000", "threshold": 1.5}, "threshold"),
        ({"threshold": 0.5}, "company_id"),
    ],
)
def test_a_bad_request_is_422_naming_the_field(fn: ModuleType, body: dict[str, Any], field: str) -> None:
    assert_problem(call(fn, request("start_discovery", principal(), body=body)), 422, field)


def test_without_a_caller_is_401(fn: ModuleType, workflow: RecordingWorkflow) -> None:
    assert_problem(call(fn, request("start_discovery")), 401)
    assert workflow.started == []
