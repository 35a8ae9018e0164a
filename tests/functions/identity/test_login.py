"""POST /v1/auth/login (LoginFunction): email and password for an access token signed with the deployment's key
set (read from Secrets Manager) and a refresh token. A wrong password and an unknown email get the same 401;
repeated failures on one account get 429 with Retry-After."""

from __future__ import annotations

from types import ModuleType

import pytest
from functions.calls import PASSWORD, account, assert_problem, call, cold_start, request, unique_email

from shared.identity.keys import KeySet
from shared.identity.model import User
from shared.identity.tokens import verify_access_token


@pytest.fixture
def fn(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, aws_endpoint: str, jwt_keys: KeySet
) -> ModuleType:
    return cold_start(
        monkeypatch, "identity", "login", aws=aws_endpoint, database_url=postgres_url, redis_url=redis_url,
        login_failures_per_account="2",
    )  # fmt: skip


@pytest.fixture
def user(postgres_url: str) -> User:
    return account(postgres_url, "paid_user")


def test_the_right_password_gets_a_token_pair(fn: ModuleType, user: User, jwt_keys: KeySet) -> None:
    answer = call(fn, request("login", body={"email": user.email, "password": PASSWORD}))
    assert answer.status == 200, answer.body
    pair = answer.body
    assert (pair["token_type"], pair["expires_in"]) == ("Bearer", 3600)
    assert len(pair["refresh_token"]) >= 40
    claims = verify_access_token(jwt_keys, pair["access_token"])
    assert (claims.sub, claims.email, claims.roles) == (str(user.id), user.email, ("paid_user",))
    assert "company:write" in claims.permissions


def test_a_wrong_password_and_an_unknown_email_get_the_same_401(fn: ModuleType, user: User) -> None:
    wrong = call(fn, request("login", body={"email": user.email, "password": "Wrong-pass-1234"}))
    unknown = call(fn, request("login", body={"email": unique_email("nobody"), "password": PASSWORD}))
    assert_problem(wrong, 401)
    assert_problem(unknown, 401)
    assert wrong.body["detail"] == unknown.body["detail"]


def test_repeated_failures_on_one_account_are_429_with_retry_after(fn: ModuleType, user: User) -> None:
    for _ in range(2):
        assert call(fn, request("login", body={"email": user.email, "password": "Wrong-pass-1234"})).status == 401
    answer = call(fn, request("login", body={"email": user.email, "password": PASSWORD}))  # even the right one now
    assert_problem(answer, 429)
    assert int(answer.headers["Retry-After"]) > 0


def test_a_missing_password_is_422_naming_it(fn: ModuleType, user: User) -> None:
    assert_problem(call(fn, request("login", body={"email": user.email})), 422, "password")
