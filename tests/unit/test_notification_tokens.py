"""Signed tokens of unsubscribe and Telegram links: what is signed comes back, anything else is refused.

Why: these tokens are the only thing that stands between an anonymous request and a user's preferences
(`/v1/notifications/unsubscribe` needs no login) or their Telegram chat. Each refusal here is one way an
attacker or a mangled link could try it: a changed payload, a changed signature, another key, another
purpose, an old link, junk, and `alg: none`.
"""

from __future__ import annotations

import base64
import json
import re
import secrets

import jwt
import pytest

from shared.notifications.tokens import (
    MAX_SHORT_TOKEN,
    MAX_SHORT_VALUE,
    PURPOSE_TELEGRAM_LINK,
    PURPOSE_UNSUBSCRIBE,
    InvalidToken,
    short_token,
    sign,
    signing_key,
    verify,
    verify_short,
)
from shared.settings import Settings

KEY = secrets.token_bytes(32)
OTHER_KEY = secrets.token_bytes(32)
NOW = 1_760_000_000.0
CLAIMS = {"uid": "6f1c2b7e-3d4a-4c1b-9a55-0e8f2d7c1a90", "kind": "*", "ch": "email"}
URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_signed_token_round_trips_its_claims_and_is_url_safe() -> None:
    token = sign(KEY, PURPOSE_UNSUBSCRIBE, CLAIMS, now=NOW)
    assert all(URL_SAFE.match(part) for part in token.split("."))
    assert verify(KEY, PURPOSE_UNSUBSCRIBE, token, now=NOW + 10 * 365 * 86400) == CLAIMS  # no ttl: no expiry
    assert verify(KEY, "digest", sign(KEY, "digest", {"n": 7})) == {"n": 7}


def test_a_ttl_token_is_valid_until_it_expires() -> None:
    token = sign(KEY, PURPOSE_UNSUBSCRIBE, CLAIMS, ttl_seconds=3600, now=NOW)
    assert verify(KEY, PURPOSE_UNSUBSCRIBE, token, now=NOW + 3599) == CLAIMS
    with pytest.raises(InvalidToken) as exc:
        verify(KEY, PURPOSE_UNSUBSCRIBE, token, now=NOW + 3600)
    assert exc.value.reason == "expired"


def test_a_tampered_payload_or_signature_or_another_key_is_a_bad_signature() -> None:
    token = sign(KEY, PURPOSE_UNSUBSCRIBE, CLAIMS, now=NOW)
    header, _payload, signature = token.split(".")
    forged_payload = _b64({**CLAIMS, "uid": "someone-else", "aud": PURPOSE_UNSUBSCRIBE, "iat": int(NOW)})
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    for bad in (f"{header}.{forged_payload}.{signature}", f"{header}.{_payload}.{flipped}"):
        with pytest.raises(InvalidToken) as exc:
            verify(KEY, PURPOSE_UNSUBSCRIBE, bad, now=NOW)
        assert exc.value.reason == "bad signature"
    with pytest.raises(InvalidToken) as exc:
        verify(OTHER_KEY, PURPOSE_UNSUBSCRIBE, token, now=NOW)
    assert exc.value.reason == "bad signature"


def test_a_token_of_another_purpose_is_refused() -> None:
    token = sign(KEY, PURPOSE_TELEGRAM_LINK, {"uid": CLAIMS["uid"]}, now=NOW)
    with pytest.raises(InvalidToken) as exc:
        verify(KEY, PURPOSE_UNSUBSCRIBE, token, now=NOW)
    assert exc.value.reason == "wrong purpose"


def test_garbage_and_unsigned_tokens_are_malformed_or_refused() -> None:
    for junk in ("", "abc", "a.b.c", "....", "x" * 5000, "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln"):
        with pytest.raises(InvalidToken):
            verify(KEY, PURPOSE_UNSUBSCRIBE, junk, now=NOW)
    unsigned = f"{_b64({'alg': 'none'})}.{_b64({**CLAIMS, 'aud': PURPOSE_UNSUBSCRIBE, 'iat': 1})}."
    with pytest.raises(InvalidToken):
        verify(KEY, PURPOSE_UNSUBSCRIBE, unsigned, now=NOW)
    # Signed with our key but by someone else's code, without the claims sign() always writes.
    bare = jwt.encode({"uid": "u"}, KEY, algorithm="HS256")
    with pytest.raises(InvalidToken) as exc:
        verify(KEY, PURPOSE_UNSUBSCRIBE, bare, now=NOW)
    assert exc.value.reason == "missing claim"


def test_sign_refuses_short_keys_reserved_claims_and_odd_values() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        sign(b"short", PURPOSE_UNSUBSCRIBE, CLAIMS)
    with pytest.raises(ValueError, match="reserved"):
        sign(KEY, PURPOSE_UNSUBSCRIBE, {"aud": "other"})
    with pytest.raises(TypeError):
        sign(KEY, PURPOSE_UNSUBSCRIBE, {"flag": True})
    with pytest.raises(ValueError):
        sign(KEY, PURPOSE_UNSUBSCRIBE, CLAIMS, ttl_seconds=0)


def test_short_tokens_fit_telegrams_start_payload_and_round_trip() -> None:
    value = "6f1c2b7e3d4a4c1b9a550e8f2d7c1a90" + secrets.token_urlsafe(8)[:10]  # user id hex + a nonce
    assert len(value) == MAX_SHORT_VALUE
    token = short_token(KEY, PURPOSE_TELEGRAM_LINK, value)
    assert len(token) <= MAX_SHORT_TOKEN == 64
    assert URL_SAFE.match(token)
    assert verify_short(KEY, PURPOSE_TELEGRAM_LINK, token) == value
    assert verify_short(KEY, PURPOSE_TELEGRAM_LINK, short_token(KEY, PURPOSE_TELEGRAM_LINK, "a")) == "a"


def test_short_tokens_refuse_tampering_another_purpose_another_key_and_junk() -> None:
    token = short_token(KEY, PURPOSE_TELEGRAM_LINK, "user42nonce")
    changed_value = "user43nonce" + token[len("user42nonce") :]
    for bad_key, purpose, bad in (
        (KEY, PURPOSE_TELEGRAM_LINK, changed_value),
        (KEY, PURPOSE_UNSUBSCRIBE, token),
        (OTHER_KEY, PURPOSE_TELEGRAM_LINK, token),
    ):
        with pytest.raises(InvalidToken) as exc:
            verify_short(bad_key, purpose, bad)
        assert exc.value.reason == "bad signature"
    for junk in ("", "short", token + "x" * (MAX_SHORT_TOKEN - len(token) + 1), token[:-1] + "!"):
        with pytest.raises(InvalidToken) as exc:
            verify_short(KEY, PURPOSE_TELEGRAM_LINK, junk)
        assert exc.value.reason == "malformed token"


def test_short_token_refuses_values_it_cannot_carry() -> None:
    for value in ("", "x" * (MAX_SHORT_VALUE + 1), "with space", "кириллица", "a.b"):
        with pytest.raises(ValueError):
            short_token(KEY, PURPOSE_TELEGRAM_LINK, value)


def test_the_signing_key_is_read_from_the_named_secret() -> None:
    asked: list[str] = []
    value = secrets.token_urlsafe(32)

    def read(name: str) -> str:
        asked.append(name)
        return value

    settings = Settings(
        database_url="postgresql://x@127.0.0.1/x",
        redis_url="redis://127.0.0.1:9",
        notification_signing_key_secret="algoarts/test-signing-key",
    )
    assert signing_key(settings, secret=read) == value.encode()
    assert asked == ["algoarts/test-signing-key"]
    with pytest.raises(ValueError, match="at least 32 bytes"):
        signing_key(settings, secret=lambda _name: "too-short")
