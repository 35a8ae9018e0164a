"""GET /v1/admin/users (ListUsersFunction): the accounts a caller may manage, paged by cursor. A company admin sees
their own company's accounts, a platform admin everyone's; other roles lack user:manage (403)."""

from __future__ import annotations

from types import ModuleType

import pytest
from functions.calls import account, assert_problem, call, cold_start, company, principal, request

from shared.identity.model import User


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "identity", "list_users", database_url=postgres_url, redis_url=redis_url)


@pytest.fixture(scope="module")
def team(postgres_url: str, redis_url: str) -> list[User]:
    """A company's admin and two of its users."""
    company_id = str(company(postgres_url, redis_url, None).id)
    return [account(postgres_url, role, company_id=company_id) for role in ("company_admin", "paid_user", "free_user")]


def test_a_company_admin_sees_their_company_only(fn: ModuleType, team: list[User], postgres_url: str) -> None:
    account(postgres_url, "free_user")  # of no company: never listed for this admin
    answer = call(fn, request("list_users", principal(user=team[0]), query={}))
    assert answer.status == 200, answer.body
    assert {u["id"] for u in answer.body["items"]} == {str(u.id) for u in team}
    assert answer.body["next_cursor"] is None


def test_pages_follow_the_cursor(fn: ModuleType, team: list[User]) -> None:
    caller = principal(user=team[0])
    first = call(fn, request("list_users", caller, query={"limit": "2"})).body
    assert len(first["items"]) == 2 and first["next_cursor"] == first["items"][-1]["id"]
    rest = call(fn, request("list_users", caller, query={"limit": "2", "cursor": first["next_cursor"]})).body
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert {u["id"] for u in first["items"] + rest["items"]} == {str(u.id) for u in team}


def test_a_platform_admin_sees_accounts_of_every_company(fn: ModuleType, team: list[User], postgres_url: str) -> None:
    loner = account(postgres_url, "free_user")
    answer = call(fn, request("list_users", principal("platform_admin"), query={"limit": "200"}))
    assert answer.status == 200, answer.body
    assert {str(loner.id), str(team[1].id)} <= {u["id"] for u in answer.body["items"]}


def test_a_paid_user_is_403(fn: ModuleType, team: list[User]) -> None:
    assert_problem(call(fn, request("list_users", principal(user=team[1]))), 403)


def test_bad_paging_is_422_naming_each_parameter(fn: ModuleType, team: list[User]) -> None:
    answer = call(fn, request("list_users", principal(user=team[0]), query={"limit": "0", "cursor": "page-2"}))
    assert_problem(answer, 422, "limit", "cursor")


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("list_users")), 401)
