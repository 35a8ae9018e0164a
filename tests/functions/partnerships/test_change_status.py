"""POST /v1/partnerships/{id}/status (ChangePartnershipStatusFunction): a move along the lifecycle by either
side; repeating the current status is a no-op, an invalid move 409 naming the allowed ones."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.calls import assert_problem, call, principal, request
from functions.partnership_calls import catalog_companies, cold_start, count, partnership


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, postgres_url, redis_url, "partnerships", "change_status")


@pytest.fixture
def known(postgres_url: str, redis_url: str) -> Iterator[dict[str, Any]]:
    with catalog_companies(postgres_url, ("logistics", "tms"), ("logistics", "freight_marketplace")) as (a, b):
        pid = partnership(postgres_url, redis_url, a, b)
        yield {"a": a, "b": b, "id": pid, "path": f"/v1/partnerships/{pid}/status"}


def test_either_side_moves_it_and_a_retry_changes_nothing(
    fn: ModuleType, known: dict[str, Any], postgres_url: str
) -> None:
    member = principal(company_id=known["a"]["id"])
    answer = call(fn, request("change_partnership_status", member, path=known["path"], body={"status": "contacted"}))
    assert answer.status == 200, answer.body
    moved = answer.body
    assert moved["id"] == known["id"] and moved["status"] == "contacted" and moved["version"] == 2
    assert moved["contacted_at"] is not None and moved["allowed_moves"] == ["in_discussion", "rejected", "paused"]
    retry = call(fn, request("change_partnership_status", member, path=known["path"], body={"status": "contacted"}))
    assert retry.status == 200 and retry.body["version"] == 2
    partner = principal(user_id=known["b"]["owner_id"])
    talking = call(
        fn, request("change_partnership_status", partner, path=known["path"], body={"status": "in_discussion"})
    )
    assert talking.status == 200 and talking.body["status"] == "in_discussion"
    assert talking.body["contacted_at"] == moved["contacted_at"]
    history = "SELECT count(*) FROM partnership_events WHERE partnership_id = %s"
    assert count(postgres_url, history, known["id"]) == 3


def test_an_invalid_move_is_409_naming_the_allowed_ones(fn: ModuleType, known: dict[str, Any]) -> None:
    member = principal(company_id=known["a"]["id"])
    answer = call(fn, request("change_partnership_status", member, path=known["path"], body={"status": "active"}))
    assert_problem(answer, 409, "status")
    assert answer.body["current_status"] == "suggested"
    assert answer.body["allowed_moves"] == ["contacted", "rejected", "paused"]


def test_a_free_user_and_a_stranger_are_403(fn: ModuleType, known: dict[str, Any], postgres_url: str) -> None:
    free = principal("free_user", company_id=known["a"]["id"])
    body = {"status": "contacted"}
    assert_problem(call(fn, request("change_partnership_status", free, path=known["path"], body=body)), 403)
    assert_problem(call(fn, request("change_partnership_status", principal(), path=known["path"], body=body)), 403)
    assert count(postgres_url, "SELECT version FROM partnerships WHERE id = %s", known["id"]) == 1


def test_an_unknown_partnership_is_404(fn: ModuleType) -> None:
    path = "/v1/partnerships/00000000-0000-4000-8000-000000000000/status"
    answer = call(fn, request("change_partnership_status", principal(), path=path, body={"status": "contacted"}))
    assert_problem(answer, 404, "id")


@pytest.mark.parametrize("body", [{"status": "won"}, {}, {"status": "contacted", "note": "x"}])
def test_a_bad_body_is_422_naming_the_field(fn: ModuleType, known: dict[str, Any], body: dict[str, str]) -> None:
    member = principal(company_id=known["a"]["id"])
    answer = call(fn, request("change_partnership_status", member, path=known["path"], body=body))
    assert_problem(answer, 422, "note" if "note" in body else "status")


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("change_partnership_status")), 401)
