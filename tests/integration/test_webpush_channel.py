"""The web push channel against the push service stand-in (which also plays the browser), over real sockets.

* a payload sent by `webpush.send` is decrypted by the stand-in with the subscription's private keys and
  equals what was sent (RFC 8291 aes128gcm), with TTL and Urgency as given, 201 + Location answered;
* the stored-row shape of a subscription (p256dh/auth beside the endpoint) works as well as the browser's;
* VAPID (RFC 8292) is checked: another key than the subscription's applicationServerKey is 403, a wrong
  aud, an expired or a too-long exp and a missing sub are 401; no TTL is 400, an unencrypted body 415;
* a subscription that is unknown (404) or expired (410) closes the channel; an oversize payload is
  PermanentDelivery; 429/503 are retryable with Retry-After; an unreachable service is retryable;
* the VAPID key helpers: a generated key signs, and its public key is the applicationServerKey;
* the stand-in runs as a process: READY, admin over HTTP, JSON-lines log.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import http_ece  # type: ignore[import-untyped]
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid  # type: ignore[import-untyped]

from localcloud.servers.webpush import FakePushService, b64url, unb64url
from shared.notifications.errors import ChannelClosed, PermanentDelivery, RetryableDelivery
from shared.notifications.webpush import generate_vapid_key, send, vapid_public_key
from support import ROOT

pytestmark = pytest.mark.integration

SUBJECT = "mailto:support@algoarts.ru"
VAPID_KEY = generate_vapid_key()
OTHER_KEY = generate_vapid_key()
PAYLOAD = {
    "title": "Черновик ждёт проверки",
    "body": "ПлатёжПро → СкладМастер: откройте и одобрите письмо",
    "url": "https://app.algoarts.ru/discoveries/1",
    "tag": "outreach.review_requested",
}


@pytest.fixture(scope="module")
def service() -> Iterator[FakePushService]:
    with FakePushService() as fake:
        yield fake


@pytest.fixture
def subscription(service: FakePushService) -> dict[str, Any]:
    service.reset()
    return service.subscribe(vapid_public_key(VAPID_KEY))


def _sub_id(subscription: dict[str, Any]) -> str:
    return str(subscription["endpoint"]).rsplit("/", 1)[1]


def _send(subscription: dict[str, Any], payload: dict[str, Any] = PAYLOAD, **kw: Any) -> None:
    send(subscription, payload, vapid_private_key=kw.pop("key", VAPID_KEY), vapid_subject=SUBJECT, **kw)


def test_a_sent_payload_is_decrypted_equal_to_what_was_sent(
    service: FakePushService, subscription: dict[str, Any]
) -> None:
    _send(subscription, ttl=3600, urgency="high")
    [message] = service.messages(_sub_id(subscription))
    assert message.data == PAYLOAD
    assert json.loads(message.payload) == PAYLOAD
    assert (message.ttl, message.urgency, message.vapid_sub) == (3600, "high", SUBJECT)
    # The row the sender reads from push_subscriptions is flat: endpoint, p256dh, auth.
    flat = {"id": "s1", "endpoint": subscription["endpoint"], **subscription["keys"]}
    _send(flat, {"title": "второе"})
    assert [m.data for m in service.messages(_sub_id(subscription))] == [PAYLOAD, {"title": "второе"}]


def test_the_service_answers_201_with_a_location(service: FakePushService, subscription: dict[str, Any]) -> None:
    body, headers = _encrypted(subscription, b'{"a": 1}')
    response = httpx.post(subscription["endpoint"], content=body, headers=headers)
    assert response.status_code == 201
    assert response.headers["Location"].startswith("/m/") and response.headers["TTL"] == "60"


def _encrypted(subscription: dict[str, Any], plaintext: bytes, **claims: Any) -> tuple[bytes, dict[str, str]]:
    """A push request made by hand, for the cases our client never produces."""
    body = http_ece.encrypt(
        plaintext,
        private_key=ec.generate_private_key(ec.SECP256R1()),
        dh=unb64url(subscription["keys"]["p256dh"]),
        auth_secret=unb64url(subscription["keys"]["auth"]),
        version="aes128gcm",
    )
    origin = str(subscription["endpoint"]).split("/push/", 1)[0]
    key = claims.pop("key", VAPID_KEY)
    full = {"aud": origin, "exp": int(time.time()) + 3600, "sub": SUBJECT, **claims}
    vapid = Vapid.from_string(key)
    vapid.conf["no-strict"] = True  # let the test send claims py_vapid would refuse
    authorization = vapid.sign({k: v for k, v in full.items() if v is not None})["Authorization"]
    return body, {"TTL": "60", "Content-Encoding": "aes128gcm", "Authorization": authorization}


@pytest.mark.parametrize(
    ("claims", "status", "message"),
    [
        ({"key": OTHER_KEY}, 403, "restricted to another application server key"),
        ({"aud": "https://push.example.org"}, 401, "aud must be"),
        ({"exp": int(time.time()) - 60}, 401, "expired"),
        ({"exp": int(time.time()) + 25 * 3600}, 401, "more than 24 hours"),
        ({"sub": "support@algoarts.ru"}, 401, "mailto: or https:"),
    ],
)
def test_bad_vapid_is_refused(
    service: FakePushService, subscription: dict[str, Any], claims: dict[str, Any], status: int, message: str
) -> None:
    body, headers = _encrypted(subscription, b'{"a": 1}', **claims)
    response = httpx.post(subscription["endpoint"], content=body, headers=headers)
    assert response.status_code == status
    assert message in response.json()["message"]
    if status == 401:
        assert response.headers["WWW-Authenticate"] == "vapid"
    assert service.messages(_sub_id(subscription)) == []


def test_our_client_with_another_key_is_refused_not_lost(
    service: FakePushService, subscription: dict[str, Any]
) -> None:
    with pytest.raises(RetryableDelivery, match="refused our VAPID identification \\(403"):
        _send(subscription, key=OTHER_KEY)
    assert service.messages(_sub_id(subscription)) == []


def test_requests_without_ttl_encryption_or_vapid_are_refused(subscription: dict[str, Any]) -> None:
    body, headers = _encrypted(subscription, b'{"a": 1}')
    no_ttl = {k: v for k, v in headers.items() if k != "TTL"}
    assert httpx.post(subscription["endpoint"], content=body, headers=no_ttl).status_code == 400
    plain = {**headers, "Content-Encoding": "identity"}
    assert httpx.post(subscription["endpoint"], content=b'{"a": 1}', headers=plain).status_code == 415
    unsigned = {k: v for k, v in headers.items() if k != "Authorization"}
    assert httpx.post(subscription["endpoint"], content=body, headers=unsigned).status_code == 401
    assert httpx.post(subscription["endpoint"], content=body[:-1], headers=headers).status_code == 400  # tampered


def test_unknown_or_expired_subscriptions_close_the_channel(
    service: FakePushService, subscription: dict[str, Any]
) -> None:
    unknown = {**subscription, "endpoint": f"{service.url}/push/{'0' * 32}"}
    with pytest.raises(ChannelClosed) as missing:
        _send(unknown)
    assert missing.value.reason == "push: subscription gone"
    service.expire(_sub_id(subscription))
    with pytest.raises(ChannelClosed) as gone:
        _send(subscription)
    assert gone.value.reason == "push: subscription gone"


def test_an_oversize_payload_is_permanent(service: FakePushService, subscription: dict[str, Any]) -> None:
    with pytest.raises(PermanentDelivery) as info:
        _send(subscription, {"body": "я" * 2100})  # 4200 bytes of UTF-8
    assert not isinstance(info.value, ChannelClosed) and "413" in info.value.reason
    _send(subscription, {"body": "я" * 1900})  # fits in 4096 once encrypted
    assert len(service.messages(_sub_id(subscription))) == 1


def test_429_and_5xx_are_retryable_with_retry_after(
    service: FakePushService, subscription: dict[str, Any], closed_port: int
) -> None:
    service.fail_next(1, 429, retry_after=30)
    with pytest.raises(RetryableDelivery) as limited:
        _send(subscription)
    assert limited.value.retry_after == 30 and "429" in limited.value.reason
    service.fail_next(1, 503)
    with pytest.raises(RetryableDelivery) as down:
        _send(subscription)
    assert down.value.retry_after is None and "503" in down.value.reason
    unreachable = {**subscription, "endpoint": f"http://127.0.0.1:{closed_port}/push/x"}
    with pytest.raises(RetryableDelivery, match="unreachable"):
        _send(unreachable, timeout=2)
    _send(subscription)
    assert len(service.messages(_sub_id(subscription))) == 1


def test_vapid_key_helpers() -> None:
    key = generate_vapid_key()
    assert len(unb64url(key)) == 32 and key != generate_vapid_key()
    public = vapid_public_key(key)
    point = unb64url(public)
    assert len(point) == 65 and point[0] == 0x04
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    pem = Vapid.from_string(key).private_pem().decode()
    assert vapid_public_key(pem) == public  # a PEM secret names the same key
    assert b64url(point) == public


def test_the_stand_in_runs_as_a_process(tmp_path: Path) -> None:
    log = tmp_path / "push.jsonl"
    argv = [sys.executable, "-m", "localcloud.servers.webpush", "--port", "0", "--log", str(log)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "localstack"), str(ROOT)])}
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("READY "), line
        url = f"http://127.0.0.1:{int(line.split()[1])}"
        created = httpx.post(f"{url}/_fake/subscriptions", json={"applicationServerKey": vapid_public_key(VAPID_KEY)})
        assert created.status_code == 201
        subscription = created.json()
        assert subscription["endpoint"].startswith(f"{url}/push/") and subscription["expirationTime"] is None
        assert len(unb64url(subscription["keys"]["auth"])) == 16
        _send(subscription)
        sub_id = _sub_id(subscription)
        listed = httpx.get(f"{url}/_fake/subscriptions/{sub_id}/messages").json()["messages"]
        assert [m["data"] for m in listed] == [PAYLOAD]
        assert httpx.post(f"{url}/_fake/script", json={"fail": 503, "n": 1}).status_code == 204
        with pytest.raises(RetryableDelivery):
            _send(subscription)
        assert httpx.delete(f"{url}/_fake/subscriptions/{sub_id}").status_code == 204
        with pytest.raises(ChannelClosed):
            _send(subscription)
        logged = [json.loads(x) for x in log.read_text("utf-8").splitlines()]
        assert [(m["subscription"], m["data"]) for m in logged] == [(sub_id, PAYLOAD)]
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
