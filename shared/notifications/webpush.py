"""Web push: one notification to one browser subscription (RFC 8030, encrypted per RFC 8291, VAPID RFC 8292).

Why not pywebpush: it brings requests and aiohttp into the layer; the two parts that matter are small
libraries (http_ece for aes128gcm, py_vapid for the JWT), and the request is one httpx POST:

    POST <subscription endpoint>
    TTL: <seconds>        Urgency: very-low|low|normal|high
    Content-Encoding: aes128gcm
    Authorization: vapid t=<ES256 JWT {aud: the endpoint's origin, exp: now + 12 h, sub}>, k=<our public key>
    <salt(16) rs(4) idlen(1)=65 keyid=our ephemeral P-256 key(65) | one AES-128-GCM record>

The payload is JSON (UTF-8), encrypted to the browser's ``p256dh`` key with its ``auth`` secret under a fresh
ephemeral key, in a single record as RFC 8291 requires.

Answers map onto shared/notifications/errors.py: 201 (any 2xx) sent; 404/410 -> `ChannelClosed` (the
subscription is gone: the sender drops it); 400/413 and other 4xx -> `PermanentDelivery`; 429, 5xx,
timeouts and connection errors -> `RetryableDelivery` (with the service's Retry-After). A 401/403 means the
push service refused our VAPID identification (a key or clock problem of ours, not the user's): retryable,
so the message is dead-lettered and redrivable once that is fixed, rather than lost.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import http_ece  # type: ignore[import-untyped]  # no stubs; pyproject has no override for it
import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid  # type: ignore[import-untyped]

from shared.notifications.errors import ChannelClosed, PermanentDelivery, RetryableDelivery
from shared.retries import parse_retry_after

__all__ = ["URGENCIES", "generate_vapid_key", "send", "vapid_public_key"]

URGENCIES = ("very-low", "low", "normal", "high")
RECORD_SIZE = 4096
TAG_AND_DELIMITER = 17  # AES-GCM tag (16) + the padding delimiter (1)
JWT_LIFETIME_S = 12 * 3600  # RFC 8292: no more than 24 h; half leaves room for clock skew
MAX_REASON = 200


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(value: str) -> bytes:
    value = value.strip()
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _vapid(private_key: str) -> Vapid:
    """The VAPID key from the secret: PEM, or base64url of the raw 32-byte scalar or of DER."""
    key = private_key.strip()
    try:
        return Vapid.from_pem(key.encode()) if key.startswith("-----BEGIN") else Vapid.from_string(key)
    except Exception as exc:  # py_vapid raises whatever cryptography or base64 raised
        raise PermanentDelivery(f"push: the VAPID private key is unreadable ({type(exc).__name__})") from None


def generate_vapid_key() -> str:
    """A new VAPID private key: base64url of the raw P-256 scalar (what the secret holds)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return _b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def vapid_public_key(private_key: str) -> str:
    """The applicationServerKey a page subscribes with: base64url of our public key's uncompressed point."""
    public = _vapid(private_key).public_key
    return _b64url(public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


def _keys(subscription: Mapping[str, Any]) -> tuple[str, bytes, bytes]:
    """(endpoint, p256dh, auth) of a PushSubscription JSON (``keys: {p256dh, auth}``) or of a stored row
    (``p256dh``, ``auth`` beside the endpoint)."""
    keys = subscription.get("keys")
    source: Mapping[str, Any] = keys if isinstance(keys, Mapping) else subscription
    endpoint, p256dh, auth = subscription.get("endpoint"), source.get("p256dh"), source.get("auth")
    if not isinstance(endpoint, str) or not isinstance(p256dh, str) or not isinstance(auth, str):
        raise PermanentDelivery("push: the subscription lacks endpoint, p256dh or auth")
    try:
        return endpoint, _unb64url(p256dh), _unb64url(auth)
    except ValueError:
        raise PermanentDelivery("push: the subscription's keys are not base64url") from None


def _encrypt(plaintext: bytes, p256dh: bytes, auth: bytes) -> bytes:
    """RFC 8291 aes128gcm: one record, a fresh ephemeral ECDH key as keyid."""
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    record_size = max(RECORD_SIZE, len(plaintext) + TAG_AND_DELIMITER)
    try:
        body: bytes = http_ece.encrypt(
            plaintext, private_key=ephemeral, dh=p256dh, auth_secret=auth, rs=record_size, version="aes128gcm"
        )
    except (ValueError, http_ece.ECEException) as exc:
        raise PermanentDelivery(f"push: cannot encrypt to the subscription's key ({type(exc).__name__})") from None
    return body


def _origin(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PermanentDelivery("push: the endpoint is not an http(s) URL")
    return f"{parts.scheme}://{parts.netloc}"


def send(
    subscription: Mapping[str, Any],
    payload: Mapping[str, Any],
    *,
    vapid_private_key: str,
    vapid_subject: str,
    ttl: int = 86400,
    urgency: str = "normal",
    timeout: float = 10,
) -> None:
    """Push ``payload`` (JSON) to the subscription's browser; raises the errors of errors.py (module docstring)."""
    if urgency not in URGENCIES:
        raise ValueError(f"urgency must be one of {', '.join(URGENCIES)}")
    if ttl < 0:
        raise ValueError("ttl must not be negative")
    endpoint, p256dh, auth = _keys(subscription)
    body = _encrypt(json.dumps(dict(payload), ensure_ascii=False).encode("utf-8"), p256dh, auth)
    claims = {"aud": _origin(endpoint), "exp": int(time.time()) + JWT_LIFETIME_S, "sub": vapid_subject}
    try:
        authorization = _vapid(vapid_private_key).sign(claims)["Authorization"]
    except PermanentDelivery:
        raise
    except Exception as exc:  # py_vapid's VapidException for a bad sub/aud
        raise PermanentDelivery(f"push: cannot sign the VAPID token ({exc})"[:MAX_REASON]) from None
    headers = {
        "TTL": str(int(ttl)),
        "Urgency": urgency,
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "Authorization": authorization,
    }
    try:
        response = httpx.post(endpoint, content=body, headers=headers, timeout=timeout)
    except httpx.TimeoutException:
        raise RetryableDelivery("push: the push service timed out") from None
    except httpx.HTTPError as exc:
        raise RetryableDelivery(f"push: the push service is unreachable ({type(exc).__name__})") from None
    _outcome(response)


def _outcome(response: httpx.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    detail = _detail(response)
    if status in (404, 410):
        raise ChannelClosed("push: subscription gone")
    if status == 429 or status >= 500:
        raise RetryableDelivery(
            f"push: the push service answered {status}{detail}"[:MAX_REASON],
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if status in (401, 403):
        raise RetryableDelivery(
            f"push: the push service refused our VAPID identification ({status}{detail})"[:MAX_REASON]
        )
    if status == 413:
        raise PermanentDelivery("push: the payload is too large for the push service (413)")
    raise PermanentDelivery(f"push: the push service refused the message ({status}{detail})"[:MAX_REASON])


def _detail(response: httpx.Response) -> str:
    """The push service's own words, when it gave some (autopush/FCM: JSON with "message" or "error")."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        text = body.get("message") or body.get("error")
        if isinstance(text, str) and text:
            return f": {text[:120]}"
    return ""
