"""Signed tokens for links a person follows without logging in: unsubscribe links and Telegram linking.

Why a token and not a row id: `GET|POST /v1/notifications/unsubscribe` is called by a mail client (RFC 8058
one-click) or a browser with no session, so the link itself must prove which user and which kind it is
about, and that the platform wrote it. Two forms:

* `sign` / `verify`: an HS256 JWT (PyJWT) whose ``aud`` is the purpose (``"unsubscribe"``,
  ``"telegram-link"`` ...), with the caller's claims and an optional ``exp``. A JWT and not a hand-made
  format because PyJWT does the HMAC, the base64url and the constant-time comparison, pins the algorithm
  (``algorithms=["HS256"]``: no ``alg: none``, no key confusion) and checks the audience, so no crypto is
  written here. The ``typ`` header is dropped (it says nothing we check) to keep links short.
* `short_token` / `verify_short`: for Telegram's deep link, whose ``/start`` payload is at most 64
  characters of ``[A-Za-z0-9_-]`` (a JWT is longer than that). The token is the value followed by a
  truncated HMAC-SHA256 (128 bits, 22 base64url characters) over the purpose and the value; so the value
  may be at most 42 characters of that alphabet: e.g. a user id's 32 hex digits and a 10-character nonce.
  It carries no expiry: the one-time link table holds when it was issued and whether it was used.

`verify` and `verify_short` raise `InvalidToken` with a short reason (malformed, bad signature, wrong
purpose, expired); the reason never contains the key or the token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import jwt

if TYPE_CHECKING:
    from shared.settings import Settings

__all__ = [
    "MAX_SHORT_TOKEN",
    "MAX_SHORT_VALUE",
    "MIN_KEY_BYTES",
    "PURPOSE_TELEGRAM_LINK",
    "PURPOSE_UNSUBSCRIBE",
    "InvalidToken",
    "short_token",
    "sign",
    "signing_key",
    "verify",
    "verify_short",
]

PURPOSE_UNSUBSCRIBE = "unsubscribe"
PURPOSE_TELEGRAM_LINK = "telegram-link"

ALGORITHM = "HS256"
MIN_KEY_BYTES = 32  # RFC 7518 section 3.2: an HS256 key at least as long as the hash output
RESERVED_CLAIMS = frozenset({"aud", "exp", "iat", "nbf", "iss", "sub", "jti"})  # registered JWT claims we own

MAX_SHORT_TOKEN = 64  # Telegram Bot API: the deep-link start parameter, up to 64 characters
SHORT_MAC_CHARS = 22  # 16 bytes of HMAC-SHA256, unpadded base64url
MAX_SHORT_VALUE = MAX_SHORT_TOKEN - SHORT_MAC_CHARS
_SHORT_ALPHABET = re.compile(r"^[A-Za-z0-9_-]+$")
_PURPOSE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class InvalidToken(ValueError):
    """The token cannot be trusted; `reason` says why in a few words (for a 400 answer and the log)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def signing_key(settings: Settings, *, secret: Callable[[str], str] | None = None) -> bytes:
    """The key tokens are signed with: the secret `settings.notification_signing_key_secret` as UTF-8 bytes.
    ``secret`` reads a secret by name (default `shared.secrets.read_secret`, cached 5 minutes)."""
    if secret is None:
        from shared.secrets import read_secret

        secret = read_secret
    key = secret(settings.notification_signing_key_secret).encode("utf-8")
    _check_key(key)
    return key


def sign(
    key: bytes,
    purpose: str,
    claims: Mapping[str, str | int],
    *,
    ttl_seconds: int | None = None,
    now: float | None = None,
) -> str:
    """A compact JWT for ``purpose`` carrying ``claims``; it expires ``ttl_seconds`` after ``now`` when given.
    Claim names are the caller's; the registered JWT names (aud, exp, iat ...) are refused."""
    _check_key(key)
    _check_purpose(purpose)
    clash = RESERVED_CLAIMS.intersection(claims)
    if clash:
        raise ValueError(f"reserved claim names: {', '.join(sorted(clash))}")
    for name, value in claims.items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise TypeError(f"claim {name!r} must be a str or an int")
    issued = int(time.time() if now is None else now)
    payload: dict[str, Any] = {**claims, "aud": purpose, "iat": issued}
    if ttl_seconds is not None:
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        payload["exp"] = issued + ttl_seconds
    return jwt.encode(payload, key, algorithm=ALGORITHM, headers={"typ": None})


def verify(key: bytes, purpose: str, token: str, *, now: float | None = None) -> dict[str, Any]:
    """The claims ``sign`` put in (without aud/iat/exp) when ``token`` is ours, for ``purpose`` and not expired.
    Raises `InvalidToken` otherwise."""
    _check_key(key)
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise InvalidToken("malformed token")
    try:
        # The signature and the audience are PyJWT's; expiry is checked below against `now`, which PyJWT
        # cannot be given (it reads the clock itself).
        payload: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=purpose,
            options={"require": ["aud", "iat"], "verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.InvalidSignatureError:
        raise InvalidToken("bad signature") from None
    except (jwt.InvalidAudienceError, jwt.MissingRequiredClaimError) as exc:
        reason = "wrong purpose" if isinstance(exc, jwt.InvalidAudienceError) else "missing claim"
        raise InvalidToken(reason) from None
    except jwt.PyJWTError:
        raise InvalidToken("malformed token") from None
    expires = payload.get("exp")
    if expires is not None:
        if isinstance(expires, bool) or not isinstance(expires, int | float):
            raise InvalidToken("malformed token")
        if (time.time() if now is None else now) >= expires:
            raise InvalidToken("expired")
    return {name: value for name, value in payload.items() if name not in RESERVED_CLAIMS}


def short_token(key: bytes, purpose: str, value: str) -> str:
    """``value`` followed by its 22-character MAC: at most 64 characters of ``[A-Za-z0-9_-]`` (Telegram's
    ``/start`` payload). ``value`` must itself use that alphabet and be at most `MAX_SHORT_VALUE` long."""
    _check_key(key)
    _check_purpose(purpose)
    if not value or len(value) > MAX_SHORT_VALUE or not _SHORT_ALPHABET.match(value):
        raise ValueError(f"value must be 1..{MAX_SHORT_VALUE} characters of [A-Za-z0-9_-]")
    return value + _short_mac(key, purpose, value)


def verify_short(key: bytes, purpose: str, token: str) -> str:
    """The value `short_token` signed, when ``token`` is ours and for ``purpose``; `InvalidToken` otherwise."""
    _check_key(key)
    if (
        not isinstance(token, str)
        or not SHORT_MAC_CHARS < len(token) <= MAX_SHORT_TOKEN
        or not _SHORT_ALPHABET.match(token)
    ):
        raise InvalidToken("malformed token")
    value, mac = token[:-SHORT_MAC_CHARS], token[-SHORT_MAC_CHARS:]
    # The purpose is inside the MAC, so a token of another purpose fails here as a bad signature.
    if not hmac.compare_digest(mac.encode("ascii"), _short_mac(key, purpose, value).encode("ascii")):
        raise InvalidToken("bad signature")
    return value


def _short_mac(key: bytes, purpose: str, value: str) -> str:
    # Domain-separated from the JWTs (which HMAC "header.payload" with the same key) by the prefix.
    message = b"algoarts-short-token\x00" + purpose.encode("ascii") + b"\x00" + value.encode("ascii")
    digest = hmac.new(key, message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the signing key must be at least {MIN_KEY_BYTES} bytes")


def _check_purpose(purpose: str) -> None:
    if not _PURPOSE.match(purpose):
        raise ValueError("purpose must be a short lowercase name like 'unsubscribe'")
