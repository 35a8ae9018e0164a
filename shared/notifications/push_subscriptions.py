"""A user's browsers for web push (RFC 8030): `POST|DELETE /v1/notifications/push/subscriptions` and the
VAPID key a page subscribes with (`GET /v1/notifications/push/key`).

A subscription is what the browser's `PushSubscription.toJSON()` gives: the push service's endpoint and
the browser's keys. They are checked before they are stored, because a bad one would only fail later, in
the push sender, where nobody sees it: the endpoint must be https (a push service is always TLS; plain
http to 127.0.0.1 is allowed on the local stage only, for the push service stand-in), p256dh must be
base64url of an uncompressed P-256 point (65 bytes, 0x04, on the curve: RFC 8291 encrypts to it) and auth
16 bytes (RFC 8291's authentication secret).

The endpoint is unique: subscribing it again updates its keys (a browser re-subscribes with new keys), and
if another account subscribed it before, it moves to the caller (the browser now belongs to whoever signed
in on it; the former account must not receive this person's pushes).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from shared.errors import NotFound, Unprocessable
from shared.notifications.model import PushKey, PushSubscriptionIn, PushSubscriptionOut
from shared.notifications.preferences import transaction

if TYPE_CHECKING:
    from shared.settings import Settings

__all__ = ["check_subscription", "push_key", "subscribe", "unsubscribe"]

_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
P256_POINT_BYTES = 65
AUTH_BYTES = 16


def _b64url(value: str, field: str) -> bytes:
    if not _BASE64URL.match(value):
        raise Unprocessable(
            f"{field} must be base64url (A-Z, a-z, 0-9, - and _)",
            field=field,
            ru=f"{field}: ожидается base64url (A-Z, a-z, 0-9, - и _)",
        )
    try:
        return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        raise Unprocessable(
            f"{field} is not valid base64url", field=field, ru=f"{field}: некорректная строка base64url"
        ) from None


def _check_endpoint(settings: Settings, endpoint: str) -> None:
    parts = urlsplit(endpoint)
    local = settings.stage == "local" and parts.scheme == "http" and parts.hostname == "127.0.0.1"
    if (parts.scheme == "https" and parts.hostname) or local:
        return
    raise Unprocessable(
        "the endpoint must be an https URL of a push service",
        field="endpoint",
        ru="Адрес подписки должен быть URL службы push-уведомлений, начинающимся с https://",
    )


def check_subscription(settings: Settings, sub: PushSubscriptionIn) -> None:
    """422 naming `endpoint`, `keys.p256dh` or `keys.auth` for what the push sender could not use."""
    from cryptography.hazmat.primitives.asymmetric import ec

    _check_endpoint(settings, sub.endpoint)
    point = _b64url(sub.keys.p256dh, "keys.p256dh")
    try:
        if len(point) != P256_POINT_BYTES or point[0] != 0x04:
            raise ValueError("not an uncompressed point")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise Unprocessable(
            "keys.p256dh must be an uncompressed P-256 public key (65 bytes)",
            field="keys.p256dh",
            ru="keys.p256dh: ожидается открытый ключ P-256 в несжатом виде (65 байт)",
        ) from None
    if len(_b64url(sub.keys.auth, "keys.auth")) != AUTH_BYTES:
        raise Unprocessable(
            "keys.auth must be 16 bytes", field="keys.auth", ru="keys.auth: ожидается секрет длиной 16 байт"
        )


def subscribe(
    settings: Settings, user_id: str, sub: PushSubscriptionIn, *, user_agent: str | None = None
) -> tuple[PushSubscriptionOut, bool]:
    """The browser subscribed for the caller: (the subscription, whether it is new). Same endpoint again:
    its keys updated (and it moves to the caller if another account had it)."""
    check_subscription(settings, sub)
    with transaction(settings) as conn:
        row = (
            cast(Any, conn)
            .execute(
                """
                INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, user_agent)
                VALUES (%s, %s, %s, %s, %s)
                ON CONFLICT (endpoint) DO UPDATE SET user_id = EXCLUDED.user_id, p256dh = EXCLUDED.p256dh,
                    auth = EXCLUDED.auth, user_agent = EXCLUDED.user_agent
                RETURNING id, endpoint, created_at, (xmax = 0) AS inserted
                """,
                (user_id, sub.endpoint, sub.keys.p256dh, sub.keys.auth, (user_agent or "")[:300] or None),
            )
            .fetchone()
        )
    return PushSubscriptionOut.model_validate(row), bool(row["inserted"])


def unsubscribe(settings: Settings, user_id: str, endpoint: str) -> None:
    """The caller's browser unsubscribed; 404 naming `endpoint` when the caller has no such subscription."""
    with transaction(settings) as conn:
        gone = (
            cast(Any, conn)
            .execute("DELETE FROM push_subscriptions WHERE endpoint = %s AND user_id = %s", (endpoint, user_id))
            .rowcount
        )
    if not gone:
        raise NotFound(
            "no push subscription of yours has this endpoint",
            field="endpoint",
            ru="У вас нет подписки с таким адресом",
        )


def push_key(settings: Settings) -> PushKey:
    """The VAPID public key (applicationServerKey), derived from the private key in the secret store."""
    from shared.notifications.webpush import vapid_public_key
    from shared.secrets import read_secret

    return PushKey(application_server_key=vapid_public_key(read_secret(settings.vapid_private_key_secret)))
