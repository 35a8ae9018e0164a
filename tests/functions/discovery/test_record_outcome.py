"""RecordOutcomeFunction (RecordNoMatch, RecordRejection, RecordExpiry and RecordFailure): the run's end
state on its row; a failure keeps the failed step, the error and the Lambda error's message; no match tells the
company's BD managers (`discovery.no_match` on notification.events)."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.agent_calls import discovery_row, invoke, outbox, started_run, step_function, task_input
from functions.partnership_calls import awaiting_review, catalog_companies


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return step_function(monkeypatch, postgres_url, redis_url, "discovery", "record_outcome")


@pytest.fixture(scope="module")
def companies(postgres_url: str) -> Iterator[list[dict[str, Any]]]:
    with catalog_companies(postgres_url, ("fintech", "payments"), ("ecommerce", "store_builder")) as found:
        yield found


@pytest.mark.parametrize(("outcome", "step"), [("no_match", "NoMatch"), ("rejected", "Rejected")])
def test_an_end_state_is_recorded(
    fn: ModuleType, companies: list[dict[str, Any]], postgres_url: str, redis_url: str, outcome: str, step: str
) -> None:
    run = started_run(postgres_url, redis_url, companies[0]["id"])
    output = invoke(fn, task_input("discovery_record_outcome", discovery_id=run, outcome=outcome))
    assert output == {"discovery_id": run, "status": outcome}
    row = discovery_row(postgres_url, run)
    assert (row["status"], row["current_step"], row["failures"]) == (outcome, step, [])
    told = [m for m in outbox(postgres_url, run) if m["topic"] == "notification.events"]
    if outcome == "no_match":  # the company's BD managers learn that nothing was found (notifications)
        (message,) = told
        assert message["type"] == "discovery.no_match"
        payload = message["payload"]
        assert (payload["kind"], payload["discovery_id"], payload["company_id"]) == (
            "discovery_no_match",
            run,
            companies[0]["id"],
        )
        assert (payload["candidates"], payload["best_score"], payload["threshold"]) == (0, None, 0.6)
    else:
        assert told == []


def test_an_expired_review_forgets_its_token(
    fn: ModuleType, companies: list[dict[str, Any]], postgres_url: str, redis_url: str
) -> None:
    own, shop = companies
    run = awaiting_review(postgres_url, redis_url, own["id"], shop["id"], "token-expiring")
    assert (
        invoke(fn, task_input("discovery_record_outcome", discovery_id=run, outcome="expired"))["status"] == "expired"
    )
    row = discovery_row(postgres_url, run)
    assert (row["status"], row["review_state"], row["task_token"]) == ("expired", "expired", None)


def test_a_failed_step_is_recorded_with_its_error_and_message(
    fn: ModuleType, companies: list[dict[str, Any]], postgres_url: str, redis_url: str
) -> None:
    run = started_run(postgres_url, redis_url, companies[0]["id"])
    output = invoke(fn, task_input("discovery_record_failure", discovery_id=run))
    assert output == {"discovery_id": run, "status": "failed"}
    row = discovery_row(postgres_url, run)
    (failure,) = row["failures"]
    assert (row["status"], row["current_step"]) == ("failed", "WriteOutreach")
    assert (failure["step"], failure["error"]) == ("WriteOutreach", "LookupError")
    assert failure["cause"].startswith("LookupError: discovery ") and failure["at"]


def test_the_warm_up_ping_returns_at_once(fn: ModuleType) -> None:
    assert invoke(fn, {}) == {}
