"""PATCH /v1/partnerships/{id} (UpdatePartnershipFunction): the outcomes a partnership brought (deal_value,
revenue_generated, roubles, both ≥ 0); omitted fields stay, an unchanged value writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.calls import assert_problem, call, principal, request
from functions.partnership_calls import catalog_companies, cold_start, count, partnership


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, postgres_url, redis_url, "partnerships", "update_partnership")


@pytest.fixture
def known(postgres_url: str, redis_url: str) -> Iterator[dict[str, Any]]:
    with catalog_companies(postgres_url, ("retailtech", "pos"), ("fintech", "payments")) as (a, b):
        pid = partnership(postgres_url, redis_url, a, b, "contacted", "in_discussion", "active")
        yield {"a": a, "b": b, "id": pid, "path": f"/v1/partnerships/{pid}"}


def test_outcomes_are_recorded_and_a_repeat_writes_nothing(
    fn: ModuleType, known: dict[str, Any], postgres_url: str
) -> None:
    member = principal(company_id=known["a"]["id"])
    answer = call(fn, request("update_partnership", member, path=known["path"]))  # the sample's body
    assert answer.status == 200, answer.body
    done = answer.body
    assert (done["deal_value"], done["revenue_generated"], done["version"]) == (1_500_000, 250_000, 5)
    assert done["status"] == "active" and done["partnership_started_at"] is not None
    partner = principal(user_id=known["b"]["owner_id"])
    same = call(fn, request("update_partnership", partner, path=known["path"], body={"deal_value": 1_500_000}))
    assert same.status == 200 and same.body["version"] == 5 and same.body["revenue_generated"] == 250_000
    updated = "SELECT count(*) FROM partnership_events WHERE partnership_id = %s AND event_type = 'partnership.updated'"
    assert count(postgres_url, updated, known["id"]) == 1


def test_a_free_user_and_a_stranger_are_403(fn: ModuleType, known: dict[str, Any], postgres_url: str) -> None:
    free = principal("free_user", company_id=known["a"]["id"])
    assert_problem(call(fn, request("update_partnership", free, path=known["path"])), 403)
    assert_problem(call(fn, request("update_partnership", principal(), path=known["path"])), 403)
    assert count(postgres_url, "SELECT version FROM partnerships WHERE id = %s", known["id"]) == 4


def test_an_unknown_partnership_is_404(fn: ModuleType) -> None:
    path = "/v1/partnerships/00000000-0000-4000-8000-000000000000"
    assert_problem(call(fn, request("update_partnership", principal(), path=path)), 404, "id")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"deal_value": -1}, "deal_value"),
        ({"revenue_generated": "много"}, "revenue_generated"),
        ({"revenue_generated": None}, "revenue_generated"),
        ({"status": "active"}, "status"),
    ],
)
def test_a_bad_outcome_is_422_naming_it(
    fn: ModuleType, known: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    member = principal(company_id=known["a"]["id"])
    assert_problem(call(fn, request("update_partnership", member, path=known["path"], body=body)), 422, field)


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("update_partnership")), 401)
