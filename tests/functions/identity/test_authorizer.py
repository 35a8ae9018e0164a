"""AuthorizerFunction, the HTTP API's Lambda authorizer: a valid bearer token is allowed with its claims as the
request's context (what every protected function reads its caller from); anything else is a plain deny. The key
set comes from Secrets Manager (the emulator's), and a key rotated in after the instance read it still works."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from functions.calls import JWT_KEYS_SECRET, access_token, account, cold_start, publish_keys

from shared.identity.keys import KeySet
from shared.identity.model import User
from support import LambdaContext, event


@pytest.fixture(scope="module")
def user(postgres_url: str) -> User:
    return account(postgres_url, "company_admin")


@pytest.fixture
def start(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, aws_endpoint: str
) -> Callable[[str], ModuleType]:
    """A cold start of the authorizer reading its key set from this secret."""

    def cold(secret: str) -> ModuleType:
        return cold_start(
            monkeypatch, "identity", "authorizer", aws=aws_endpoint, database_url=postgres_url, redis_url=redis_url,
            jwt_keys_secret=secret,
        )  # fmt: skip

    return cold


def authorize(fn: ModuleType, authorization: str | None) -> dict[str, Any]:
    """The authorizer's answer to the sample request carrying this Authorization header (None: none)."""
    request = event("http/authorizer")
    request["headers"].pop("authorization")
    request["identitySource"] = []
    if authorization is not None:
        request["headers"]["authorization"] = authorization
        request["identitySource"] = [authorization]
    answer: dict[str, Any] = fn.handler(request, LambdaContext())
    return answer


def test_a_valid_token_is_allowed_with_its_claims_as_the_context(
    start: Callable[[str], ModuleType], jwt_keys: KeySet, user: User
) -> None:
    answer = authorize(start(JWT_KEYS_SECRET), f"Bearer {access_token(jwt_keys, user)}")
    assert answer["isAuthorized"] is True
    context = answer["context"]
    assert (context["sub"], context["email"], context["roles"]) == (str(user.id), user.email, "company_admin")
    assert "user:manage" in context["permissions"].split(",")
    assert context["jti"] and context["exp"] > time.time()


@pytest.mark.parametrize(
    "authorization",
    [None, "Basic aXZhbjpwYXNzd29yZA==", "Bearer", "Bearer not.a.jwt"],
    ids=["missing", "basic", "empty", "garbage"],
)
def test_no_usable_bearer_token_is_denied(
    start: Callable[[str], ModuleType], jwt_keys: KeySet, authorization: str | None
) -> None:
    assert authorize(start(JWT_KEYS_SECRET), authorization) == {"isAuthorized": False}


def test_a_token_signed_by_another_key_is_denied(
    start: Callable[[str], ModuleType], jwt_keys: KeySet, user: User
) -> None:
    foreign = KeySet()
    foreign.rotate()
    assert authorize(start(JWT_KEYS_SECRET), f"Bearer {access_token(foreign, user)}") == {"isAuthorized": False}


def test_a_key_rotated_in_after_the_instance_read_the_set_is_picked_up(
    start: Callable[[str], ModuleType], aws_endpoint: str, user: User
) -> None:
    secret = f"algoarts/jwt-keys-{uuid.uuid4().hex[:8]}"
    keys = publish_keys(aws_endpoint, secret)
    fn = start(secret)
    assert authorize(fn, f"Bearer {access_token(keys, user)}")["isAuthorized"] is True  # the set is cached now
    keys.rotate()
    publish_keys(aws_endpoint, secret, keys)
    answer = authorize(fn, f"Bearer {access_token(keys, user)}")  # signed by a kid the cached set lacks
    assert answer["isAuthorized"] is True and answer["context"]["sub"] == str(user.id)
