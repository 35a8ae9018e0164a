"""Access tokens, signing keys, the API gateway's authorizer and the role mapping, without servers.

Every attack below is crafted so that it differs from a valid token in one respect only (a helper
builds complete claims, and a sanity test shows that helper's untouched output verifies), so each
test fails if exactly that check were dropped from verification.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from shared.identity import authorizer as authorizer_logic
from shared.identity import roles, tokens
from shared.identity.keys import KeySet, SigningKey
from shared.identity.roles import Permission, Role
from support import LambdaContext, load_function

USER_ID = str(uuid.uuid4())
COMPANY_ID = str(uuid.uuid4())
EMAIL = "olga.smirnova@example.ru"
DENY = {"isAuthorized": False}


# --- helpers ------------------------------------------------------------------------------------
def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def flip(segment: str, index: int) -> str:
    """The segment with one base64url character changed (a middle one changes real bits)."""
    replacement = "A" if segment[index] != "A" else "B"
    return segment[:index] + replacement + segment[index + 1 :]


def claims(**changes: Any) -> dict[str, Any]:
    """Complete, valid claims as the service issues them; `None` removes a claim."""
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": tokens.ISSUER,
        "aud": tokens.AUDIENCE,
        "sub": USER_ID,
        "email": EMAIL,
        "roles": ["free_user"],
        "permissions": ["company:read", "partnership:read"],
        "company_id": None,
        "iat": now,
        "nbf": now,
        "exp": now + tokens.ACCESS_TOKEN_SECONDS,
        "jti": str(uuid.uuid4()),
    }
    payload.update(changes)
    return {k: v for k, v in payload.items() if v is not None or k == "company_id"}


def sign(payload: dict[str, Any], key: SigningKey, kid: str | None = None) -> str:
    return jwt.encode(payload, key.private_key(), algorithm="RS256", headers={"kid": kid or key.kid})


def hs256_token(header: dict[str, Any], payload: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{b64url_json(header)}.{b64url_json(payload)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def public_pem(key: SigningKey) -> bytes:
    return (
        key.private_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def issue(key_set: KeySet, user_roles: list[str] | None = None, now: int | None = None) -> str:
    token, _ = tokens.issue_access_token(
        key_set,
        user_id=USER_ID,
        email=EMAIL,
        roles=user_roles if user_roles is not None else ["free_user", "paid_user"],
        company_id=COMPANY_ID,
        now=now,
    )
    return token


@pytest.fixture(scope="module")
def key_set() -> KeySet:
    ks = KeySet()
    ks.rotate()
    return ks


@pytest.fixture(scope="module")
def foreign_key() -> SigningKey:
    """A well-formed RSA key that is not in our key set."""
    return KeySet().rotate()


# --- attacks: name -> token builder over (our key set, a foreign key) ----------------------------
def _tampered_payload(ks: KeySet, _: SigningKey) -> str:
    header, payload, signature = issue(ks).split(".")
    return f"{header}.{flip(payload, len(payload) // 2)}.{signature}"


def _escalated_payload(ks: KeySet, _: SigningKey) -> str:
    """A well-formed payload granting admin:* with the original signature."""
    header, payload, signature = issue(ks).split(".")
    body = json.loads(b64url_decode(payload))
    body.update(roles=["platform_admin"], permissions=["admin:*"])
    return f"{header}.{b64url_json(body)}.{signature}"


def _tampered_signature(ks: KeySet, _: SigningKey) -> str:
    header, payload, signature = issue(ks).split(".")
    return f"{header}.{payload}.{flip(signature, len(signature) // 2)}"


def _alg_none(ks: KeySet, _: SigningKey) -> str:
    return f"{b64url_json({'alg': 'none', 'typ': 'JWT', 'kid': ks.active.kid})}.{b64url_json(claims())}."


def _alg_none_capitalised(ks: KeySet, _: SigningKey) -> str:
    return f"{b64url_json({'alg': 'None', 'typ': 'JWT', 'kid': ks.active.kid})}.{b64url_json(claims())}."


def _hs256_with_public_key(ks: KeySet, _: SigningKey) -> str:
    header = {"alg": "HS256", "typ": "JWT", "kid": ks.active.kid}
    return hs256_token(header, claims(), public_pem(ks.active))


def _unknown_kid(_: KeySet, foreign: SigningKey) -> str:
    return sign(claims(), foreign, kid="attacker-key")


def _no_kid(ks: KeySet, _: SigningKey) -> str:
    return jwt.encode(claims(), ks.active.private_key(), algorithm="RS256")


def _foreign_key_known_kid(ks: KeySet, foreign: SigningKey) -> str:
    return sign(claims(), foreign, kid=ks.active.kid)


def _expired(ks: KeySet, _: SigningKey) -> str:
    return issue(ks, now=int(time.time()) - 7200)


def _not_yet_valid(ks: KeySet, _: SigningKey) -> str:
    now = int(time.time())
    return sign(claims(iat=now, nbf=now + 3600, exp=now + 3600), ks.active)


def _wrong_issuer(ks: KeySet, _: SigningKey) -> str:
    return sign(claims(iss="https://evil.example.com"), ks.active)


def _wrong_audience(ks: KeySet, _: SigningKey) -> str:
    return sign(claims(aud="some-other-api"), ks.active)


def _missing_jti(ks: KeySet, _: SigningKey) -> str:
    return sign(claims(jti=None), ks.active)


def _missing_exp(ks: KeySet, _: SigningKey) -> str:
    return sign(claims(exp=None), ks.active)


def _lifetime_over_an_hour(ks: KeySet, _: SigningKey) -> str:
    now = int(time.time())
    return sign(claims(iat=now, nbf=now, exp=now + tokens.ACCESS_TOKEN_SECONDS + 1), ks.active)


def _garbage(_: KeySet, __: SigningKey) -> str:
    return "not-a-jwt"


def _empty_segments(_: KeySet, __: SigningKey) -> str:
    return ".."


def _header_not_an_object(ks: KeySet, _: SigningKey) -> str:
    return f"{b64url(b'[1,2]')}.{b64url_json(claims())}.{b64url(b'x' * 256)}"


ATTACKS: dict[str, Callable[[KeySet, SigningKey], str]] = {
    "tampered payload": _tampered_payload,
    "escalated payload": _escalated_payload,
    "tampered signature": _tampered_signature,
    "alg none": _alg_none,
    "alg None": _alg_none_capitalised,
    "HS256 with the public key as secret": _hs256_with_public_key,
    "unknown kid": _unknown_kid,
    "no kid": _no_kid,
    "foreign key with a known kid": _foreign_key_known_kid,
    "expired": _expired,
    "not yet valid": _not_yet_valid,
    "wrong issuer": _wrong_issuer,
    "wrong audience": _wrong_audience,
    "missing jti": _missing_jti,
    "missing exp": _missing_exp,
    "lifetime over an hour": _lifetime_over_an_hour,
    "garbage": _garbage,
    "empty segments": _empty_segments,
    "header not an object": _header_not_an_object,
}


# --- issuing and verifying ------------------------------------------------------------------------
def test_valid_token_carries_every_seed_claim(key_set: KeySet) -> None:
    before = int(time.time())
    token, issued = tokens.issue_access_token(
        key_set, user_id=USER_ID, email=EMAIL, roles=["company_admin"], company_id=COMPANY_ID
    )
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "RS256", "typ": "JWT", "kid": key_set.active.kid}

    payload = jwt.decode(token, options={"verify_signature": False})
    seed_claims = {"sub", "email", "roles", "permissions", "company_id", "iat", "exp", "jti"}
    assert set(payload) == seed_claims | {"iss", "aud", "nbf", "gen"}
    assert payload["iss"] == tokens.ISSUER == "https://api.algorithmic-arts.ru"
    assert payload["aud"] == tokens.AUDIENCE
    assert payload["roles"] == ["company_admin"]
    assert payload["permissions"] == [
        "company:read",
        "company:write",
        "partnership:read",
        "partnership:write",
        "user:manage",
    ]
    assert before <= payload["iat"] <= int(time.time())
    assert payload["nbf"] == payload["iat"]
    assert payload["exp"] - payload["iat"] == 3600
    uuid.UUID(payload["jti"])

    verified = tokens.verify_access_token(key_set, token)
    assert verified == issued
    assert verified.sub == USER_ID
    assert verified.email == EMAIL
    assert verified.roles == ("company_admin",)
    assert verified.permissions == tuple(payload["permissions"])
    assert verified.company_id == COMPANY_ID
    assert verified.jti == payload["jti"]
    assert (verified.iat, verified.exp) == (payload["iat"], payload["exp"])


def test_every_token_has_its_own_jti(key_set: KeySet) -> None:
    jtis = {tokens.verify_access_token(key_set, issue(key_set)).jti for _ in range(5)}
    assert len(jtis) == 5


def test_token_without_company_verifies_with_none(key_set: KeySet) -> None:
    token, _ = tokens.issue_access_token(key_set, user_id=USER_ID, email=EMAIL, roles=["free_user"], company_id=None)
    assert tokens.verify_access_token(key_set, token).company_id is None


def test_crafting_helpers_produce_verifiable_tokens(key_set: KeySet) -> None:
    """The attacks below change one thing each: unchanged, the helpers' output is accepted."""
    assert tokens.verify_access_token(key_set, sign(claims(), key_set.active)).sub == USER_ID
    header = {"alg": "HS256", "typ": "JWT"}
    hs = hs256_token(header, claims(), b"a-shared-secret-of-32-bytes-long")
    assert jwt.decode(hs, b"a-shared-secret-of-32-bytes-long", algorithms=["HS256"], audience=tokens.AUDIENCE)
    unsigned = _alg_none(key_set, key_set.active)
    assert jwt.decode(unsigned, options={"verify_signature": False})["sub"] == USER_ID


def test_expiry_allows_only_the_leeway(key_set: KeySet) -> None:
    now = int(time.time())
    almost = issue(key_set, now=now - tokens.ACCESS_TOKEN_SECONDS - 10)  # expired 10 s ago: within 30 s
    assert tokens.verify_access_token(key_set, almost).sub == USER_ID
    with pytest.raises(tokens.InvalidToken):
        tokens.verify_access_token(key_set, issue(key_set, now=now - tokens.ACCESS_TOKEN_SECONDS - 60))


@pytest.mark.parametrize("attack", list(ATTACKS), ids=list(ATTACKS))
def test_attack_is_refused(attack: str, key_set: KeySet, foreign_key: SigningKey) -> None:
    token = ATTACKS[attack](key_set, foreign_key)
    with pytest.raises(tokens.InvalidToken):
        tokens.verify_access_token(key_set, token)


def test_refusal_names_the_reason(key_set: KeySet, foreign_key: SigningKey) -> None:
    def reason(attack: str) -> str:
        with pytest.raises(tokens.InvalidToken) as info:
            tokens.verify_access_token(key_set, ATTACKS[attack](key_set, foreign_key))
        return str(info.value).lower()

    assert "algorithm" in reason("alg none")
    assert "algorithm" in reason("HS256 with the public key as secret")
    assert "unknown key" in reason("unknown kid")
    assert "signature" in reason("foreign key with a known kid")
    assert "expired" in reason("expired")
    assert "not yet valid" in reason("not yet valid")
    assert "issuer" in reason("wrong issuer")
    assert "audience" in reason("wrong audience")
    assert "jti" in reason("missing jti")
    assert "lifetime" in reason("lifetime over an hour")


# --- keys and rotation ----------------------------------------------------------------------------
def test_rotation_keeps_old_tokens_valid_and_signs_with_the_new_key() -> None:
    ks = KeySet()
    old = ks.rotate()
    old_token = issue(ks)
    new = ks.rotate()
    assert ks.active == new and new.kid != old.kid

    new_token = issue(ks)
    assert jwt.get_unverified_header(new_token)["kid"] == new.kid
    assert jwt.get_unverified_header(old_token)["kid"] == old.kid
    assert tokens.verify_access_token(ks, old_token).sub == USER_ID
    assert tokens.verify_access_token(ks, new_token).sub == USER_ID
    assert {k["kid"] for k in ks.jwks()["keys"]} == {old.kid, new.kid}


def test_retired_key_no_longer_verifies_nor_is_published() -> None:
    ks = KeySet()
    old = ks.rotate()
    old_token = issue(ks)
    new = ks.rotate()
    new_token = issue(ks)

    ks.retire(old.kid)

    with pytest.raises(tokens.InvalidToken, match="unknown key id"):
        tokens.verify_access_token(ks, old_token)
    assert tokens.verify_access_token(ks, new_token).sub == USER_ID
    assert [k["kid"] for k in ks.jwks()["keys"]] == [new.kid]
    assert ks.verifying(old.kid) is None
    assert ks.active == new


def test_jwks_publishes_public_keys_only(key_set: KeySet) -> None:
    (jwk,) = key_set.jwks()["keys"]
    assert jwk["kid"] == key_set.active.kid
    assert (jwk["kty"], jwk["alg"], jwk["use"]) == ("RSA", "RS256", "sig")
    assert {"n", "e"} <= set(jwk)
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(jwk)
    # The published key really verifies our tokens.
    public = jwt.PyJWK(jwk).key
    decoded = jwt.decode(issue(key_set), public, algorithms=["RS256"], audience=tokens.AUDIENCE)
    assert decoded["sub"] == USER_ID


def test_retiring_the_only_active_key_is_refused() -> None:
    ks = KeySet()
    only = ks.rotate()
    with pytest.raises(ValueError, match="only active key"):
        ks.retire(only.kid)
    assert ks.active == only and not only.retired


def test_retiring_the_active_key_hands_signing_to_another() -> None:
    ks = KeySet()
    first = ks.rotate()
    second = ks.rotate()
    ks.retire(second.kid)
    assert ks.active.kid == first.kid
    assert jwt.get_unverified_header(issue(ks))["kid"] == first.kid


def test_key_set_without_keys_cannot_sign() -> None:
    with pytest.raises(RuntimeError, match="no active signing key"):
        issue(KeySet())


def test_key_set_json_round_trip() -> None:
    ks = KeySet()
    old = ks.rotate()
    token = issue(ks)
    ks.rotate()
    ks.retire(old.kid)
    ks.rotate()

    copy = KeySet.from_json(ks.to_json())

    assert copy == ks
    assert [k.retired for k in copy.keys] == [True, False, False]
    assert copy.active.kid == ks.active.kid
    assert tokens.verify_access_token(copy, issue(ks)).sub == USER_ID
    assert tokens.verify_access_token(ks, issue(copy)).sub == USER_ID
    with pytest.raises(tokens.InvalidToken):
        tokens.verify_access_token(copy, token)  # signed by the retired key


# --- the authorizer -----------------------------------------------------------------------------
@pytest.fixture
def authorizer() -> ModuleType:
    return load_function("identity", "authorizer")


@pytest.fixture
def served(authorizer: ModuleType, key_set: KeySet, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """The authorizer reads our key set; yields the `refresh` flag of every lookup."""
    lookups: list[bool] = []

    def fake_key_set(secret_id: str, *, refresh: bool = False) -> KeySet:
        assert secret_id == "algoarts/jwt-keys"
        lookups.append(refresh)
        return key_set

    monkeypatch.setattr(authorizer_logic, "key_set", fake_key_set)
    yield lookups


def authorizer_event(authorization: str | None) -> dict[str, Any]:
    headers = {"content-type": "application/json"}
    if authorization is not None:
        headers["authorization"] = authorization
    return {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": "arn:aws:execute-api:us-east-1:123456789012:api/$default/GET/v1/me",
        "routeKey": "GET /v1/me",
        "rawPath": "/v1/me",
        "headers": headers,
        "requestContext": {"http": {"method": "GET", "path": "/v1/me", "sourceIp": "203.0.113.7"}},
    }


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer a b", "Token abc", "Bearer " + "a" * 9000],
    ids=["missing", "empty", "basic", "bearer-alone", "bearer-blank", "two-tokens", "other-scheme", "oversized"],
)
def test_bearer_token_rejects_malformed_headers(authorizer: ModuleType, authorization: str | None) -> None:
    assert authorizer_logic.bearer_token(authorizer_event(authorization)) is None


def test_bearer_token_accepts_any_header_case_and_scheme_case(authorizer: ModuleType) -> None:
    assert authorizer_logic.bearer_token(authorizer_event("Bearer abc.def.ghi")) == "abc.def.ghi"
    assert authorizer_logic.bearer_token(authorizer_event("bearer abc.def.ghi")) == "abc.def.ghi"
    assert authorizer_logic.bearer_token({"headers": {"Authorization": "Bearer abc.def.ghi"}}) == "abc.def.ghi"
    assert authorizer_logic.bearer_token({"headers": None}) is None
    assert authorizer_logic.bearer_token({}) is None


def test_authorizer_allows_a_valid_token_and_passes_flat_context(
    authorizer: ModuleType, key_set: KeySet, served: list[bool]
) -> None:
    token, issued = tokens.issue_access_token(
        key_set, user_id=USER_ID, email=EMAIL, roles=["free_user", "company_admin"], company_id=COMPANY_ID
    )
    answer = authorizer.handler(authorizer_event(f"Bearer {token}"), LambdaContext())
    assert answer == {
        "isAuthorized": True,
        "context": {
            "sub": USER_ID,
            "email": EMAIL,
            "roles": "free_user,company_admin",
            "permissions": "company:read,company:write,partnership:read,partnership:write,user:manage",
            "company_id": COMPANY_ID,
            "jti": issued.jti,
            "iat": issued.iat,
            "exp": issued.exp,
            "gen": 0,
        },
    }
    assert served == [False]


def test_authorizer_context_without_company_is_an_empty_string(
    authorizer: ModuleType, key_set: KeySet, served: list[bool]
) -> None:
    token, _ = tokens.issue_access_token(key_set, user_id=USER_ID, email=EMAIL, roles=["free_user"], company_id=None)
    answer = authorizer.handler(authorizer_event(f"Bearer {token}"), LambdaContext())
    assert answer["isAuthorized"] is True
    assert answer["context"]["company_id"] == ""
    assert answer["context"]["roles"] == "free_user"


@pytest.mark.parametrize("attack", list(ATTACKS), ids=list(ATTACKS))
def test_authorizer_denies_every_attack_without_raising(
    attack: str, authorizer: ModuleType, key_set: KeySet, foreign_key: SigningKey, served: list[bool]
) -> None:
    token = ATTACKS[attack](key_set, foreign_key)
    answer = authorizer.handler(authorizer_event(f"Bearer {token}"), LambdaContext())
    assert answer == DENY


@pytest.mark.parametrize("authorization", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", None])
def test_authorizer_denies_malformed_headers(
    authorization: str | None, authorizer: ModuleType, served: list[bool]
) -> None:
    assert authorizer.handler(authorizer_event(authorization), LambdaContext()) == {"isAuthorized": False}
    assert served == []  # refused before any key lookup


def test_authorizer_rereads_keys_for_an_unknown_kid(authorizer: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key rotated in after this instance cached the key set: one forced re-read, then allowed."""
    stale = KeySet()
    stale.rotate()
    fresh = KeySet.from_json(stale.to_json())
    fresh.rotate()
    lookups: list[bool] = []

    def fake_key_set(secret_id: str, *, refresh: bool = False) -> KeySet:
        lookups.append(refresh)
        return fresh if refresh else stale

    monkeypatch.setattr(authorizer_logic, "key_set", fake_key_set)
    answer = authorizer.handler(authorizer_event(f"Bearer {issue(fresh)}"), LambdaContext())
    assert answer["isAuthorized"] is True
    assert lookups == [False, True]

    # A kid nobody knows is still denied after the re-read.
    lookups.clear()
    foreign = KeySet()
    foreign.rotate()
    assert authorizer.handler(authorizer_event(f"Bearer {issue(foreign)}"), LambdaContext()) == DENY
    assert lookups == [False, True]


# --- roles ----------------------------------------------------------------------------------------
def test_permissions_per_role_follow_the_seed() -> None:
    assert roles.permissions_for(["free_user"]) == ["company:read", "partnership:read"]
    assert roles.permissions_for(["paid_user"]) == [
        "company:read",
        "company:write",
        "partnership:read",
        "partnership:write",
    ]
    assert roles.permissions_for(["company_admin"]) == [
        "company:read",
        "company:write",
        "partnership:read",
        "partnership:write",
        "user:manage",
    ]
    assert roles.permissions_for(["platform_admin"]) == ["admin:*"]
    assert roles.permissions_for([]) == []


def test_permissions_of_several_roles_are_their_union_sorted() -> None:
    assert roles.permissions_for(["free_user", "platform_admin"]) == ["admin:*", "company:read", "partnership:read"]
    assert roles.permissions_for(("paid_user", "free_user")) == roles.permissions_for(["paid_user"])


@pytest.mark.parametrize("permission", list(Permission))
def test_admin_wildcard_allows_everything(permission: Permission) -> None:
    assert roles.allows(roles.permissions_for(["platform_admin"]), permission)


def test_allows_follows_the_mapping() -> None:
    free = roles.permissions_for(["free_user"])
    paid = roles.permissions_for(["paid_user"])
    company_admin = roles.permissions_for(["company_admin"])
    assert roles.allows(free, Permission.COMPANY_READ)
    assert roles.allows(free, Permission.PARTNERSHIP_READ)
    assert not roles.allows(free, Permission.COMPANY_WRITE)
    assert not roles.allows(free, Permission.PARTNERSHIP_WRITE)
    assert not roles.allows(free, Permission.USER_MANAGE)
    assert not roles.allows(free, Permission.ADMIN_FULL)
    assert roles.allows(paid, Permission.COMPANY_WRITE)
    assert not roles.allows(paid, Permission.USER_MANAGE)
    assert roles.allows(company_admin, Permission.USER_MANAGE)
    assert not roles.allows(company_admin, Permission.ADMIN_FULL)
    assert not roles.allows([], Permission.COMPANY_READ)


@pytest.mark.parametrize(
    ("user_roles", "plan"),
    [
        ([], "free"),
        (["free_user"], "free"),
        (["paid_user"], "paid"),
        (["company_admin"], "paid"),
        (["free_user", "paid_user"], "paid"),
        (["platform_admin"], "admin"),
        (["free_user", "platform_admin"], "admin"),
    ],
)
def test_plan_for(user_roles: list[str], plan: str) -> None:
    assert roles.plan_for(user_roles) == plan


def test_every_role_has_a_mapping() -> None:
    assert set(roles.ROLE_PERMISSIONS) == set(Role)


def test_authorizer_passes_the_token_generation_on(key_set: KeySet, monkeypatch: pytest.MonkeyPatch) -> None:
    # A role change bumps the user's generation; the guard compares it, so it must survive the hop.
    authorizer = load_function("identity", "authorizer")
    monkeypatch.setattr(authorizer_logic, "key_set", lambda *_a, **_k: key_set)
    token, _ = tokens.issue_access_token(
        key_set, user_id=USER_ID, email=EMAIL, roles=["paid_user"], company_id=None, generation=7
    )
    answer = authorizer.handler(authorizer_event(f"Bearer {token}"), LambdaContext())
    assert answer["context"]["gen"] == 7
