"""GET /.well-known/jwks.json (JwksFunction): the public half of every key not retired, read from Secrets Manager,
so anyone can verify our access tokens; cacheable for five minutes."""

from __future__ import annotations

import uuid
from types import ModuleType

import pytest
from functions.calls import JWT_KEYS_SECRET, call, cold_start, publish_keys, request

from shared.identity.keys import KeySet


def start(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, aws: str, secret: str) -> ModuleType:
    return cold_start(
        monkeypatch, "identity", "jwks", aws=aws, database_url=postgres_url, redis_url=redis_url,
        jwt_keys_secret=secret,
    )  # fmt: skip


def test_the_public_keys_are_served_cacheable(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, aws_endpoint: str, jwt_keys: KeySet
) -> None:
    answer = call(start(monkeypatch, postgres_url, redis_url, aws_endpoint, JWT_KEYS_SECRET), request("jwks"))
    assert answer.status == 200, answer.body
    assert answer.headers["Cache-Control"] == "public, max-age=300"
    (key,) = answer.body["keys"]
    assert (key["kid"], key["kty"], key["alg"], key["use"]) == (jwt_keys.active.kid, "RSA", "RS256", "sig")
    assert key["n"] and key["e"] and not {"d", "p", "q"} & set(key)  # the public half only


def test_a_retired_key_is_no_longer_published(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, aws_endpoint: str
) -> None:
    secret = f"algoarts/jwt-keys-{uuid.uuid4().hex[:8]}"
    keys = publish_keys(aws_endpoint, secret)
    old = keys.active.kid
    keys.rotate()
    keys.retire(old)
    publish_keys(aws_endpoint, secret, keys)
    answer = call(start(monkeypatch, postgres_url, redis_url, aws_endpoint, secret), request("jwks"))
    assert [k["kid"] for k in answer.body["keys"]] == [keys.active.kid]
