"""GET /v1/users/me (GetMeFunction): the caller's own account from Postgres; any signed-in caller, and only one
whose token is still good (a disabled account is refused even with an unexpired token)."""

from __future__ import annotations

from types import ModuleType

import pytest
from functions.calls import account, assert_problem, call, cold_start, principal, request

from shared.identity.guard import security_state


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "identity", "get_me", database_url=postgres_url, redis_url=redis_url)


def test_the_caller_gets_their_own_account(fn: ModuleType, postgres_url: str) -> None:
    user = account(postgres_url, "free_user")
    answer = call(fn, request("get_me", principal(user=user)))
    assert answer.status == 200, answer.body
    assert answer.headers["Content-Type"] == "application/json"
    me = answer.body
    assert (me["id"], me["email"], me["roles"], me["full_name"]) == (str(user.id), user.email, ["free_user"],
                                                                     "Ольга Смирнова")  # fmt: skip
    assert me["is_active"] is True and "password_hash" not in me


def test_a_caller_without_an_account_is_404(fn: ModuleType) -> None:
    assert_problem(call(fn, request("get_me", principal("free_user"))), 404)


def test_a_disabled_account_is_401(fn: ModuleType, postgres_url: str, redis_url: str) -> None:
    user = account(postgres_url, "free_user")
    security_state(redis_url).disable_user(str(user.id))  # as deactivation leaves it
    assert_problem(call(fn, request("get_me", principal(user=user))), 401)


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("get_me")), 401)
