"""POST /v1/notifications/push/subscriptions (SubscribePushFunction): a browser's PushSubscription.toJSON()
stored for the caller: 201 with its id; the same endpoint again updates it (200, same id); keys and endpoint
checked (base64url, a P-256 point, a 16-byte secret, https) with 422 naming the field."""

from __future__ import annotations

import base64
import secrets
import uuid
from types import ModuleType
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from functions.calls import account, assert_problem, call, cold_start, principal, request, rows


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def browser(endpoint: str | None = None) -> dict[str, Any]:
    """What a browser's pushManager.subscribe() gives, toJSON()'d: a fresh P-256 key and auth secret."""
    point = (
        ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    )
    return {
        "endpoint": endpoint or f"https://fcm.googleapis.com/fcm/send/{uuid.uuid4().hex}",
        "expirationTime": None,
        "keys": {"p256dh": b64url(point), "auth": b64url(secrets.token_bytes(16))},
    }


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(
        monkeypatch, "notifications", "subscribe_push", database_url=postgres_url, redis_url=redis_url, stage="dev"
    )


def _stored(postgres_url: str, endpoint: str) -> list[dict[str, Any]]:
    return rows(postgres_url, "SELECT * FROM push_subscriptions WHERE endpoint = %s", endpoint)


def test_subscribing_then_again_with_new_keys(fn: ModuleType, postgres_url: str) -> None:
    user = account(postgres_url)
    sub = browser()
    answer = call(fn, request("subscribe_push", principal(user=user), body=sub, headers={"User-Agent": "Firefox/140"}))
    assert answer.status == 201, answer.body
    assert answer.body["endpoint"] == sub["endpoint"]
    (stored,) = _stored(postgres_url, sub["endpoint"])
    assert str(stored["id"]) == answer.body["id"] and stored["user_id"] == user.id
    assert (stored["p256dh"], stored["auth"], stored["user_agent"]) == (
        sub["keys"]["p256dh"], sub["keys"]["auth"], "Firefox/140",
    )  # fmt: skip

    renewed = {**browser(sub["endpoint"])}
    again = call(fn, request("subscribe_push", principal(user=user), body=renewed))
    assert again.status == 200 and again.body["id"] == answer.body["id"]
    (stored,) = _stored(postgres_url, sub["endpoint"])
    assert stored["p256dh"] == renewed["keys"]["p256dh"]


def test_a_browser_another_account_subscribed_moves_to_the_caller(fn: ModuleType, postgres_url: str) -> None:
    before, now = account(postgres_url), account(postgres_url)
    sub = browser()
    call(fn, request("subscribe_push", principal(user=before), body=sub))
    call(fn, request("subscribe_push", principal(user=now), body=sub))
    (stored,) = _stored(postgres_url, sub["endpoint"])
    assert stored["user_id"] == now.id


def _broken(change: str) -> tuple[dict[str, Any], str]:
    sub = browser()
    off_curve = b64url(b"\x04" + bytes(64))  # 65 bytes, the right tag, not a point on P-256
    compressed = (
        ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    )
    cases: dict[str, tuple[dict[str, Any], str]] = {
        "http endpoint": ({"endpoint": "http://push.example.com/x"}, "endpoint"),
        "loopback endpoint off the local stage": ({"endpoint": "http://127.0.0.1:9/x"}, "endpoint"),
        "not a URL": ({"endpoint": "push-me"}, "endpoint"),
        "standard base64": ({"keys": {**sub["keys"], "p256dh": sub["keys"]["p256dh"][:-2] + "+/"}}, "keys.p256dh"),
        "off the curve": ({"keys": {**sub["keys"], "p256dh": off_curve}}, "keys.p256dh"),
        "compressed point": ({"keys": {**sub["keys"], "p256dh": b64url(compressed)}}, "keys.p256dh"),
        "short auth": ({"keys": {**sub["keys"], "auth": b64url(secrets.token_bytes(8))}}, "keys.auth"),
        "no auth": ({"keys": {"p256dh": sub["keys"]["p256dh"]}}, "keys.auth"),
        "no endpoint": ({"endpoint": None}, "endpoint"),
    }
    patch, field = cases[change]
    body = {**sub, **patch}
    if body["endpoint"] is None:
        del body["endpoint"]
    return body, field


@pytest.mark.parametrize(
    "change",
    ["http endpoint", "loopback endpoint off the local stage", "not a URL", "standard base64", "off the curve",
     "compressed point", "short auth", "no auth", "no endpoint"],
)  # fmt: skip
def test_a_subscription_the_sender_could_not_use_is_422(fn: ModuleType, postgres_url: str, change: str) -> None:
    user = account(postgres_url)
    body, field = _broken(change)
    assert_problem(call(fn, request("subscribe_push", principal(user=user), body=body)), 422, field)
    assert rows(postgres_url, "SELECT 1 FROM push_subscriptions WHERE user_id = %s", user.id) == []


def test_the_local_stage_accepts_the_loopback_push_service(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str
) -> None:
    local = cold_start(
        monkeypatch, "notifications", "subscribe_push", database_url=postgres_url, redis_url=redis_url, stage="local"
    )
    sub = browser(f"http://127.0.0.1:8089/push/{uuid.uuid4().hex}")
    answer = call(local, request("subscribe_push", principal(user=account(postgres_url)), body=sub))
    assert answer.status == 201, answer.body
    elsewhere = browser(f"http://localhost:8089/push/{uuid.uuid4().hex}")
    assert_problem(call(local, request("subscribe_push", principal(user=account(postgres_url)), body=elsewhere)),
                   422, "endpoint")  # fmt: skip


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("subscribe_push", body=browser())), 401)
