"""Access tokens: RS256 JWTs with `kid`, the seed's claims plus issuer and audience.

Verification pins the algorithm to RS256 and looks the key up by `kid` in our key set only, which
rules out `alg: none`, HS256 signed with the public key, and keys an attacker names.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt

from shared.identity.keys import KeySet
from shared.identity.lifetimes import ACCESS_TOKEN_SECONDS
from shared.identity.roles import permissions_for

__all__ = ["ACCESS_TOKEN_SECONDS", "AccessClaims", "InvalidToken", "issue_access_token", "verify_access_token"]

ISSUER = "https://api.algorithmic-arts.ru"
AUDIENCE = "algoarts-api"
LEEWAY_SECONDS = 30


class InvalidToken(Exception):
    """Any reason a token is not accepted; the message is safe to log, never to echo the token."""


@dataclass(frozen=True)
class AccessClaims:
    sub: str
    email: str
    roles: tuple[str, ...]
    permissions: tuple[str, ...]
    company_id: str | None
    jti: str
    iat: int
    exp: int
    # The user's token generation when issued: a role or password change bumps it, and every
    # token of an older generation stops working (exact, unlike comparing 1-second `iat`s).
    gen: int = 0


def issue_access_token(
    keys: KeySet,
    *,
    user_id: str,
    email: str,
    roles: list[str],
    company_id: str | None,
    now: int | None = None,
    generation: int = 0,
) -> tuple[str, AccessClaims]:
    issued = int(now if now is not None else time.time())
    claims = AccessClaims(
        sub=user_id,
        email=email,
        roles=tuple(roles),
        permissions=tuple(permissions_for(roles)),
        company_id=company_id,
        jti=str(uuid.uuid4()),
        iat=issued,
        exp=issued + ACCESS_TOKEN_SECONDS,
        gen=generation,
    )
    payload = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": claims.sub,
        "email": claims.email,
        "roles": list(claims.roles),
        "permissions": list(claims.permissions),
        "company_id": claims.company_id,
        "iat": claims.iat,
        "nbf": claims.iat,
        "exp": claims.exp,
        "jti": claims.jti,
        "gen": claims.gen,
    }
    key = keys.active
    token = jwt.encode(payload, key.private_key(), algorithm="RS256", headers={"kid": key.kid})
    return token, claims


def verify_access_token(keys: KeySet, token: str) -> AccessClaims:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"malformed token: {exc}") from None
    if header.get("alg") != "RS256":
        raise InvalidToken("algorithm not allowed")
    key = keys.verifying(str(header.get("kid", "")))
    if key is None:
        raise InvalidToken("unknown key id")
    try:
        payload = jwt.decode(
            token,
            key.private_key().public_key(),
            algorithms=["RS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "nbf", "sub", "jti", "iss", "aud"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from None
    if payload["exp"] - payload["iat"] > ACCESS_TOKEN_SECONDS:
        raise InvalidToken("token lifetime exceeds the maximum")
    return AccessClaims(
        sub=payload["sub"],
        email=payload.get("email", ""),
        roles=tuple(payload.get("roles", [])),
        permissions=tuple(payload.get("permissions", [])),
        company_id=payload.get("company_id"),
        jti=payload["jti"],
        iat=payload["iat"],
        exp=payload["exp"],
        gen=int(payload.get("gen", 0)),
    )
