"""GET /v1/partnerships (ListPartnershipsFunction): the caller's companies' partnerships, newest first,
filtered by status or by one of those companies; nobody else's."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.calls import assert_problem, call, principal, request
from functions.partnership_calls import catalog_companies, cold_start, partnership


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, postgres_url, redis_url, "partnerships", "list_partnerships")


@pytest.fixture(scope="module")
def hr(postgres_url: str, redis_url: str) -> Iterator[dict[str, Any]]:
    """A recruiting company with two partnerships: payroll (suggested) and, newer, onboarding (contacted)."""
    kinds = [("hrtech", "recruiting"), ("hrtech", "payroll"), ("hrtech", "onboarding")]
    with catalog_companies(postgres_url, *kinds) as (me, payroll, onboarding):
        first = partnership(postgres_url, redis_url, me, payroll)
        second = partnership(postgres_url, redis_url, me, onboarding, "contacted")
        yield {"me": me, "payroll": payroll, "suggested": first, "contacted": second}


def test_mine_newest_first_and_by_status(fn: ModuleType, hr: dict[str, Any]) -> None:
    reader = principal("free_user", company_id=hr["me"]["id"])
    answer = call(fn, request("list_partnerships", reader, query={}))
    assert answer.status == 200, answer.body
    assert [p["id"] for p in answer.body["items"]] == [hr["contacted"], hr["suggested"]]
    contacted = call(fn, request("list_partnerships", reader, query={"status": "contacted", "limit": "20"}))
    assert contacted.status == 200, contacted.body
    assert [(p["id"], p["status"]) for p in contacted.body["items"]] == [(hr["contacted"], "contacted")]
    assert contacted.body["items"][0]["contacted_at"] is not None


def test_the_partner_sees_it_and_a_stranger_nothing(fn: ModuleType, hr: dict[str, Any]) -> None:
    partner = principal(user_id=hr["payroll"]["owner_id"])
    answer = call(fn, request("list_partnerships", partner, query={"company_id": hr["payroll"]["id"]}))
    assert answer.status == 200, answer.body
    assert [p["id"] for p in answer.body["items"]] == [hr["suggested"]]
    stranger = call(fn, request("list_partnerships", principal(), query={"company_id": hr["me"]["id"]}))
    assert stranger.status == 200 and stranger.body["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [({"status": "won"}, "status"), ({"limit": "0"}, "limit"), ({"company_id": "platezhpro"}, "company_id")],
)
def test_a_bad_filter_is_422_naming_it(fn: ModuleType, query: dict[str, str], field: str) -> None:
    assert_problem(call(fn, request("list_partnerships", principal(), query=query)), 422, field)


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("list_partnerships")), 401)
