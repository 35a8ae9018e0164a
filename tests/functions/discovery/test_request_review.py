"""RequestReviewFunction (the HumanReview task, lambda:invoke.waitForTaskToken): the task token is kept with
the draft until the review deadline, and the company's BD managers are notified once (notification.events);
the state machine then waits for POST /v1/outreach/{id}/approve|reject."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from functions.agent_calls import discovery_row, drafted, invoke, outbox, step_function, task_input
from functions.partnership_calls import catalog_companies


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return step_function(monkeypatch, postgres_url, redis_url, "discovery", "request_review")


@pytest.fixture(scope="module")
def companies(postgres_url: str) -> Iterator[list[dict[str, Any]]]:
    with catalog_companies(postgres_url, ("fintech", "payments"), ("ecommerce", "store_builder")) as found:
        yield found


def test_the_token_is_kept_and_the_managers_are_told_once(
    fn: ModuleType, companies: list[dict[str, Any]], postgres_url: str, redis_url: str
) -> None:
    own, shop = companies
    run = drafted(postgres_url, redis_url, own["id"], shop["id"])
    ev = task_input("discovery_request_review", discovery_id=run)
    output = invoke(fn, ev)
    deadline = datetime.fromisoformat(output["review_deadline"])
    expected = datetime.now(UTC) + timedelta(seconds=ev["review_timeout_seconds"])
    assert list(output) == ["review_deadline"] and abs((deadline - expected).total_seconds()) < 60
    row = discovery_row(postgres_url, run)
    assert (row["status"], row["current_step"], row["review_state"]) == ("awaiting_review", "HumanReview", "pending")
    assert row["task_token"] == ev["task_token"] and row["review_deadline"] == deadline
    (note,) = outbox(postgres_url, run)
    assert (note["topic"], note["type"]) == ("notification.events", "outreach.review_requested")
    assert own["owner_id"] in note["payload"]["user_ids"] and note["payload"]["subject"] == row["draft"]["subject"]
    assert note["payload"]["links"]["review"] == f"/v1/discoveries/{run}"


def test_an_unknown_run_fails_the_step(fn: ModuleType) -> None:
    with pytest.raises(LookupError):
        invoke(fn, task_input("discovery_request_review", discovery_id="00000000-0000-4000-8000-000000000000"))


def test_the_warm_up_ping_returns_at_once(fn: ModuleType) -> None:
    assert invoke(fn, {}) == {}
