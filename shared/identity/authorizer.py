"""The API gateway's Lambda authorizer logic (HTTP API, payload 2.0, simple responses).

Verifies the bearer token's RS256 signature, `kid`, issuer, audience and lifetime, and answers the
claims as the request's authorizer context; the gateway caches the answer per token. Anything wrong
with the token is a plain deny (403 from the gateway), never an error (which would be 500).
"""

from __future__ import annotations

from typing import Any

from shared.identity.guard import Principal
from shared.identity.keys import key_set
from shared.identity.tokens import InvalidToken, verify_access_token
from shared.logs import logger
from shared.settings import get_settings

DENY: dict[str, Any] = {"isAuthorized": False}
MAX_HEADER = 8192


def bearer_token(event: dict[str, Any]) -> str | None:
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    value = headers.get("authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token or len(value) > MAX_HEADER or " " in token.strip():
        return None
    return token.strip()


def verify(token: str) -> Principal:
    secret = get_settings().jwt_keys_secret
    try:
        claims = verify_access_token(key_set(secret), token)
    except InvalidToken as exc:
        if "unknown key id" not in str(exc):
            raise
        claims = verify_access_token(key_set(secret, refresh=True), token)  # a key rotated in since
    return Principal.from_claims(claims)


def authorize(event: dict[str, Any]) -> dict[str, Any]:
    """The gateway's answer for one request: allowed with the caller's claims, or denied (logged why)."""
    token = bearer_token(event)
    if token is None:
        logger.info("denied", extra={"reason": "missing or malformed Authorization header"})
        return DENY
    try:
        principal = verify(token)
    except InvalidToken as exc:
        logger.info("denied", extra={"reason": str(exc)})
        return DENY
    logger.info("authorized", extra={"user_id": principal.user_id})
    return {"isAuthorized": True, "context": principal.as_context()}
