"""POST /v1/auth/refresh (RefreshFunction): a refresh token for a new pair. Each refresh token works once;
presenting a spent one is theft (or a replay) and revokes its whole family, the new token included."""

from __future__ import annotations

from types import ModuleType

import pytest
from functions.calls import PASSWORD, account, assert_problem, call, cold_start, request

from shared.audit import RequestOrigin
from shared.identity import service
from shared.identity.keys import KeySet
from shared.identity.model import LoginCommand, TokenPair, User
from shared.identity.tokens import verify_access_token
from shared.settings import Settings


@pytest.fixture
def fn(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, aws_endpoint: str, jwt_keys: KeySet
) -> ModuleType:
    return cold_start(
        monkeypatch, "identity", "refresh", aws=aws_endpoint, database_url=postgres_url, redis_url=redis_url
    )


@pytest.fixture
def user(postgres_url: str) -> User:
    return account(postgres_url, "free_user")


@pytest.fixture
def pair(postgres_url: str, redis_url: str, jwt_keys: KeySet, user: User) -> TokenPair:
    """The pair a login gave the user."""
    settings = Settings(database_url=postgres_url, redis_url=redis_url)
    return service.login(settings, jwt_keys, LoginCommand(email=user.email, password=PASSWORD), RequestOrigin())


def test_a_refresh_token_gets_a_new_pair(fn: ModuleType, pair: TokenPair, user: User, jwt_keys: KeySet) -> None:
    answer = call(fn, request("refresh", body={"refresh_token": pair.refresh_token}))
    assert answer.status == 200, answer.body
    assert answer.body["refresh_token"] != pair.refresh_token
    assert verify_access_token(jwt_keys, answer.body["access_token"]).sub == str(user.id)


def test_a_spent_token_is_401_and_revokes_the_family(fn: ModuleType, pair: TokenPair) -> None:
    renewed = call(fn, request("refresh", body={"refresh_token": pair.refresh_token})).body["refresh_token"]
    assert_problem(call(fn, request("refresh", body={"refresh_token": pair.refresh_token})), 401)
    assert_problem(call(fn, request("refresh", body={"refresh_token": renewed})), 401)  # revoked with its family


def test_an_unknown_token_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("refresh")), 401)  # the sample's token was never issued


def test_a_token_too_short_to_be_one_is_422_naming_it(fn: ModuleType) -> None:
    assert_problem(call(fn, request("refresh", body={"refresh_token": "short"})), 422, "refresh_token")
