"""POST /v1/auth/logout (LogoutFunction): the caller's access token stops working at once (revoked in Redis, which
every protected function checks), and a refresh token given with it is revoked with its family in Postgres."""

from __future__ import annotations

from types import ModuleType

import pytest
from functions.calls import account, assert_problem, call, cold_start, principal, request, row

from shared.db import connect
from shared.identity import users
from shared.identity.guard import Principal
from shared.identity.model import User


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "identity", "logout", database_url=postgres_url, redis_url=redis_url)


@pytest.fixture
def user(postgres_url: str) -> User:
    return account(postgres_url, "paid_user")


def refresh_token(postgres_url: str, user: User) -> str:
    with connect(postgres_url) as conn:
        token = users.issue_refresh_token(conn, str(user.id))
        conn.commit()
    return token


def revoked(postgres_url: str, token: str) -> bool:
    sql = "SELECT revoked_at FROM refresh_tokens WHERE token_hash = %s"
    return row(postgres_url, sql, users._digest(token))["revoked_at"] is not None


def test_logout_is_204_and_the_token_is_refused_afterwards(fn: ModuleType, user: User) -> None:
    caller = principal(user=user)
    answer = call(fn, request("logout", caller, body=None))
    assert (answer.status, answer.body) == (204, None)
    assert_problem(call(fn, request("logout", caller, body=None)), 401)  # the same token, revoked


def test_a_refresh_token_given_is_revoked_with_its_family(fn: ModuleType, user: User, postgres_url: str) -> None:
    token = refresh_token(postgres_url, user)
    answer = call(fn, request("logout", principal(user=user), body={"refresh_token": token}))
    assert answer.status == 204, answer.body
    assert revoked(postgres_url, token)


def test_another_users_refresh_token_is_left_alone(fn: ModuleType, user: User, postgres_url: str) -> None:
    theirs = refresh_token(postgres_url, account(postgres_url, "free_user"))
    assert call(fn, request("logout", principal(user=user), body={"refresh_token": theirs})).status == 204
    assert not revoked(postgres_url, theirs)


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("logout", body=None)), 401)


def test_a_refresh_token_too_short_is_422_naming_it(fn: ModuleType, user: User) -> None:
    caller: Principal = principal(user=user)
    assert_problem(call(fn, request("logout", caller, body={"refresh_token": "x"})), 422, "refresh_token")
