"""Identity through the real gateway on the embedded profile: the user journey, an authorization
matrix over every route of template.yaml, token attacks, the per-user rate limit, login throttling
and the audit trail.

Two layers answer: the gateway's Lambda authorizer (a missing Authorization header is the gateway's
own 401; a token the authorizer rejects is the gateway's 403 `{"message": "Forbidden"}`), then the
function's guard (problem+json: 401 revoked or disabled, 403 missing permission, 429 over the limit).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, LiteralString

import httpx
import jwt
import psycopg
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import localcloud.paths
import slice_checks as checks
from e2e_cloud import Cloud
from localcloud import template as tpl
from shared.identity.keys import KeySet

PROBLEM = "application/problem+json"
GATEWAY_UNAUTHORIZED = {"message": "Unauthorized"}  # no Authorization header: the gateway's own answer
GATEWAY_FORBIDDEN = {"message": "Forbidden"}  # the authorizer said no


# --- helpers -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Account:
    email: str
    password: str
    id: str


def register(cloud: Cloud) -> Account:
    """A fresh free account, registered through the API."""
    email = f"e2e-{uuid.uuid4().hex[:12]}@example.com"
    password = f"Pw-{uuid.uuid4().hex[:12]}-7"
    response = cloud.anonymous.post(
        "/v1/auth/register", json={"email": email, "password": password, "full_name": "E2E Тест"}
    )
    assert response.status_code == 201, response.text
    return Account(email, password, response.json()["id"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def me(cloud: Cloud, token: str) -> httpx.Response:
    return cloud.anonymous.get("/v1/users/me", headers=bearer(token))


def refresh(cloud: Cloud, refresh_token: str) -> httpx.Response:
    return cloud.anonymous.post("/v1/auth/refresh", json={"refresh_token": refresh_token})


def company_body() -> dict[str, str]:
    return {"name": f"Идентичность {uuid.uuid4().hex[:8]}", "industry": "fintech"}


def set_roles(platform: httpx.Client, user_id: str, roles: list[str]) -> None:
    response = platform.put(f"/v1/admin/users/{user_id}/roles", json={"roles": roles})
    assert response.status_code == 200, response.text


def sql(cloud: Cloud, query: LiteralString, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(cloud.database_url, autocommit=True) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def wait_for_next_second() -> None:
    time.sleep(1.02 - time.time() % 1)


@pytest.fixture(scope="module")
def platform(embedded: Cloud) -> Iterator[httpx.Client]:
    with embedded.client_for("platform_admin") as client:
        yield client


# --- 1. the user journey -------------------------------------------------------------------------
def test_user_journey_register_login_refresh_upgrade_logout(embedded: Cloud, platform: httpx.Client) -> None:
    account = register(embedded)
    tokens = embedded.login(account.email, account.password)
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600

    anonymous = embedded.anonymous.get("/v1/users/me")
    assert anonymous.status_code == 401
    assert anonymous.json() == GATEWAY_UNAUTHORIZED
    mine = me(embedded, tokens["access_token"])
    assert mine.status_code == 200, mine.text
    assert mine.json()["id"] == account.id
    assert mine.json()["email"] == account.email
    assert mine.json()["roles"] == ["free_user"]

    # Refresh: a new pair that works; the spent refresh token presented again revokes the family.
    renewed = refresh(embedded, tokens["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    pair = renewed.json()
    assert pair["refresh_token"] != tokens["refresh_token"]
    assert pair["access_token"] != tokens["access_token"]
    assert me(embedded, pair["access_token"]).status_code == 200
    assert_problem(refresh(embedded, tokens["refresh_token"]), 401)
    assert_problem(refresh(embedded, pair["refresh_token"]), 401)  # the whole family is revoked

    # A free user reads but cannot write.
    write = embedded.anonymous.post("/v1/companies", json=company_body(), headers=bearer(pair["access_token"]))
    assert_problem(write, 403)

    # Upgraded to paid by a platform admin: tokens carrying the old roles stop working, new ones write.
    # (One second apart: see test_role_change_refuses_a_token_issued_in_the_same_second.)
    wait_for_next_second()
    set_roles(platform, account.id, ["paid_user"])
    assert_problem(me(embedded, pair["access_token"]), 401)
    paid = embedded.login(account.email, account.password)
    created = embedded.anonymous.post("/v1/companies", json=company_body(), headers=bearer(paid["access_token"]))
    assert created.status_code == 201, created.text

    # Log out: the access token is refused at once, the refresh token handed in too.
    out = embedded.anonymous.post(
        "/v1/auth/logout", json={"refresh_token": paid["refresh_token"]}, headers=bearer(paid["access_token"])
    )
    assert out.status_code == 204, out.text
    assert_problem(me(embedded, paid["access_token"]), 401)
    assert_problem(refresh(embedded, paid["refresh_token"]), 401)


# --- 2. the authorization matrix -----------------------------------------------------------------
CALLERS = ("anonymous", "free_user", "paid_user", "company_admin_owner", "company_admin_other", "platform_admin")
OK = "2xx"
Expected = tuple[int | str, int | str, int | str, int | str, int | str, int | str]  # one per CALLERS
PUBLIC: Expected = (OK, OK, OK, OK, OK, OK)
SIGNED_IN: Expected = (401, OK, OK, OK, OK, OK)
WRITERS: Expected = (401, 403, OK, OK, OK, OK)
USER_ADMINS: Expected = (401, 403, 403, OK, OK, OK)
# company_admin_owner manages a user of their own company, company_admin_other another company's user.
USER_ADMINS_OF_OWN_COMPANY: Expected = (401, 403, 403, OK, 403, OK)
# A company's owner, an admin of that company, or a platform admin; the paid user owns none of these.
COMPANY_EDITORS: Expected = (401, 403, 403, OK, OK, OK)
REVIEWERS_OF_NOTHING: Expected = (401, 403, 403, 409, 409, 409)
OWN_ONLY: Expected = (401, 404, 404, 404, 404, 404)  # signed in, but the object is nobody's of theirs
DEMO_ROLE = {
    "free_user": "free_user",
    "paid_user": "paid_user",
    "company_admin_owner": "company_admin",
    "company_admin_other": "company_admin",
    "platform_admin": "platform_admin",
}


@dataclass
class World:
    """Who calls, and the objects the matrix's requests act on."""

    cloud: Cloud
    clients: dict[str, httpx.Client]
    own_company: str  # the demo company admin's company
    own_user: str  # a user of that company
    other_user: str  # a user of another company
    throwaway: Account  # logs in and refreshes for the public routes
    made: dict[str, str] = field(default_factory=dict)  # objects made once by the platform admin, by name

    def path(self, template_path: str, caller: str) -> str:
        target = self.other_user if caller == "company_admin_other" else self.own_user
        return template_path.replace("{user_id}", target).replace("{company_id}", self.own_company)

    def partner(self) -> str:
        """A company (the platform admin's) to pair with the own company."""
        if "partner" not in self.made:
            made = self.clients["platform_admin"].post("/v1/companies", json=company_body())
            assert made.status_code == 201, made.text
            self.made["partner"] = made.json()["id"]
        return self.made["partner"]

    def partnership(self) -> str:
        """The own company's partnership with `partner()`, proposed by the platform admin."""
        if "partnership" not in self.made:
            pair = {"company_a_id": self.own_company, "company_b_id": self.partner()}
            made = self.clients["platform_admin"].post("/v1/partnerships", json=pair)
            assert made.status_code in (200, 201), made.text  # 200: the matrix's create row made it first
            self.made["partnership"] = made.json()["id"]
        return self.made["partnership"]

    def discovery(self) -> str:
        """A discovery of the own company that can find no match (threshold 1): never awaiting review."""
        if "discovery" not in self.made:
            body = {"company_id": self.own_company, "threshold": 1.0}
            made = self.clients["platform_admin"].post("/v1/discoveries", json=body)
            assert made.status_code == 202, made.text
            self.made["discovery"] = made.json()["id"]
        return self.made["discovery"]

    def fresh_session(self, caller: str) -> dict[str, str]:
        """A token of the caller's own, for requests that spend it (log out)."""
        if caller == "anonymous":
            return {}
        return bearer(self.cloud.login(*self.cloud.demo_account(DEMO_ROLE[caller]))["access_token"])


Request = Callable[[World, str], dict[str, Any]]


def no_body(world: World, caller: str) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Entry:
    expect: Expected
    request: Request = field(default=no_body)  # httpx request arguments, valid so only authorization decides
    target: Callable[[World, str], str] | None = None  # the path, when each call needs an object of its own


def _register_body(world: World, caller: str) -> dict[str, Any]:
    return {"json": {"email": f"matrix-{uuid.uuid4().hex[:12]}@example.com", "password": "Matrix-pass-2026"}}


def _login_body(world: World, caller: str) -> dict[str, Any]:
    return {"json": {"email": world.throwaway.email, "password": world.throwaway.password}}


def _refresh_body(world: World, caller: str) -> dict[str, Any]:
    tokens = world.cloud.login(world.throwaway.email, world.throwaway.password)
    return {"json": {"refresh_token": tokens["refresh_token"]}}


def _fresh_company(world: World, caller: str) -> str:
    """A company the demo company admin just created (and so owns)."""
    return f"/v1/companies/{checks.create_company(world.cloud.http)['id']}"


def _deleted_company(world: World, caller: str) -> str:
    path = _fresh_company(world, caller)
    assert world.cloud.http.delete(path).status_code == 204
    return f"{path}/restore"


def _logout(world: World, caller: str) -> dict[str, Any]:
    return {"json": {}, "headers": world.fresh_session(caller)}


def _pair(world: World) -> dict[str, str]:
    return {"company_a_id": world.own_company, "company_b_id": world.partner()}


def _partnership(world: World, caller: str) -> str:
    return f"/v1/partnerships/{world.partnership()}"


def _dismissal(world: World, caller: str) -> str:
    return f"/v1/companies/{world.own_company}/partners/{world.partner()}/dismiss"


def _telegram_update(world: World, caller: str) -> dict[str, Any]:
    """An update as Telegram sends it, with the webhook's secret token (only Telegram knows it)."""
    from localcloud.runtime import load_secrets
    from shared.notifications.telegram import webhook_secret

    secret = webhook_secret(load_secrets(world.cloud.state_dir)["telegram_bot_token"])
    update = {
        "update_id": 1,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "hi"},
    }
    return {"json": update, "headers": {"X-Telegram-Bot-Api-Secret-Token": secret}}


def _unsubscribe_link(world: World, caller: str) -> dict[str, Any]:
    """The token of an email's unsubscribe link (any recipient's: the link is the credential, not a login)."""
    from localcloud.runtime import load_secrets
    from shared.notifications.tokens import sign

    key = load_secrets(world.cloud.state_dir)["notification_signing_key"].encode()
    token = sign(key, "unsubscribe", {"u": world.own_user, "k": "follow_up_drafted", "c": "email"})
    return {"params": {"token": token}, "data": {"List-Unsubscribe": "One-Click"}}


def _push_subscription(world: World, caller: str) -> dict[str, Any]:
    """A browser's PushSubscription of the caller's own (a real P-256 key and auth secret)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    keys = {"p256dh": _b64(point), "auth": _b64(uuid.uuid4().bytes)}
    return {"json": {"endpoint": f"https://push.example.com/wp/matrix-{caller}", "keys": keys}}


MATRIX: dict[tuple[str, str], Entry] = {
    ("GET", "/v1/health"): Entry(PUBLIC),
    ("GET", "/v1/openapi.json"): Entry(PUBLIC),
    ("GET", "/v1/asyncapi.json"): Entry(PUBLIC),
    ("GET", "/v1/docs"): Entry(PUBLIC),
    ("GET", "/.well-known/jwks.json"): Entry(PUBLIC),
    ("GET", "/v1/taxonomy"): Entry(PUBLIC),  # reference data: the company form needs it before sign-in too
    ("POST", "/v1/auth/register"): Entry(PUBLIC, _register_body),
    ("POST", "/v1/auth/login"): Entry(PUBLIC, _login_body),
    ("POST", "/v1/auth/refresh"): Entry(PUBLIC, _refresh_body),
    ("POST", "/v1/auth/logout"): Entry(SIGNED_IN, _logout),
    ("GET", "/v1/users/me"): Entry(SIGNED_IN),
    ("PATCH", "/v1/users/me"): Entry(SIGNED_IN, lambda w, c: {"json": {"full_name": f"Matrix {c}"}}),
    ("GET", "/v1/admin/users"): Entry(USER_ADMINS, lambda w, c: {"params": {"limit": 5}}),
    ("PUT", "/v1/admin/users/{user_id}/roles"): Entry(
        USER_ADMINS_OF_OWN_COMPANY, lambda w, c: {"json": {"roles": ["paid_user"]}}
    ),
    ("POST", "/v1/admin/users/{user_id}/deactivate"): Entry(USER_ADMINS_OF_OWN_COMPANY),
    ("POST", "/v1/companies"): Entry(WRITERS, lambda w, c: {"json": company_body()}),
    ("GET", "/v1/companies/{company_id}"): Entry(SIGNED_IN),
    ("GET", "/v1/companies"): Entry(SIGNED_IN, lambda w, c: {"params": {"limit": 5, "industry": "fintech"}}),
    ("PATCH", "/v1/companies/{company_id}"): Entry(
        COMPANY_EDITORS, lambda w, c: {"json": {"description": f"Matrix {c}"}}, target=_fresh_company
    ),
    ("DELETE", "/v1/companies/{company_id}"): Entry(COMPANY_EDITORS, target=_fresh_company),
    ("POST", "/v1/companies/{company_id}/restore"): Entry(COMPANY_EDITORS, target=_deleted_company),
    ("GET", "/v1/companies/{company_id}/history"): Entry(SIGNED_IN),
    ("POST", "/v1/companies/{company_id}/verify"): Entry(COMPANY_EDITORS),
    ("GET", "/v1/search"): Entry(SIGNED_IN, lambda w, c: {"params": {"q": "платёж"}}),
    ("GET", "/v1/companies/{company_id}/partners"): Entry(SIGNED_IN, lambda w, c: {"params": {"limit": 3}}),
    # The own company dismisses the partner, then undoes it (both idempotent: every allowed caller gets 2xx).
    ("POST", "/v1/companies/{company_id}/partners/{partner_id}/dismiss"): Entry(
        COMPANY_EDITORS, lambda w, c: {"json": {"reason": f"matrix {c}"}}, target=_dismissal
    ),
    ("DELETE", "/v1/companies/{company_id}/partners/{partner_id}/dismiss"): Entry(COMPANY_EDITORS, target=_dismissal),
    ("POST", "/v1/partnerships/analyze"): Entry(SIGNED_IN, lambda w, c: {"json": _pair(w)}),
    ("POST", "/v1/partnerships"): Entry(COMPANY_EDITORS, lambda w, c: {"json": _pair(w)}),  # 200: the existing one
    ("GET", "/v1/partnerships"): Entry(SIGNED_IN),
    ("GET", "/v1/partnerships/{partnership_id}"): Entry(COMPANY_EDITORS, target=_partnership),
    ("POST", "/v1/partnerships/{partnership_id}/status"): Entry(
        COMPANY_EDITORS,
        lambda w, c: {"json": {"status": "contacted"}},
        target=lambda w, c: f"{_partnership(w, c)}/status",
    ),  # then contacted -> contacted: a no-op, 200
    ("PATCH", "/v1/partnerships/{partnership_id}"): Entry(
        COMPANY_EDITORS, lambda w, c: {"json": {"deal_value": 500_000}}, target=_partnership
    ),
    ("POST", "/v1/discoveries"): Entry(
        COMPANY_EDITORS, lambda w, c: {"json": {"company_id": w.own_company, "threshold": 1.0}}
    ),
    ("GET", "/v1/discoveries/{discovery_id}"): Entry(
        COMPANY_EDITORS, target=lambda w, c: f"/v1/discoveries/{w.discovery()}"
    ),
    # Authorization comes before the review's state: those allowed get 409 (nothing awaits review).
    ("POST", "/v1/outreach/{discovery_id}/approve"): Entry(
        REVIEWERS_OF_NOTHING, lambda w, c: {"json": {}}, target=lambda w, c: f"/v1/outreach/{w.discovery()}/approve"
    ),
    ("POST", "/v1/outreach/{discovery_id}/reject"): Entry(
        REVIEWERS_OF_NOTHING,
        lambda w, c: {"json": {"reason": "matrix"}},
        target=lambda w, c: f"/v1/outreach/{w.discovery()}/reject",
    ),
    # Notifications are the caller's own: any signed-in user, only their rows (another's id is 404, as unknown).
    ("GET", "/v1/notifications"): Entry(SIGNED_IN),
    ("POST", "/v1/notifications/{notification_id}/read"): Entry(
        OWN_ONLY, target=lambda w, c: f"/v1/notifications/{uuid.uuid4()}/read"
    ),
    ("POST", "/v1/notifications/read-all"): Entry(SIGNED_IN),
    ("GET", "/v1/notifications/preferences"): Entry(SIGNED_IN),
    ("PUT", "/v1/notifications/preferences"): Entry(SIGNED_IN, lambda w, c: {"json": {"digest": False}}),
    ("POST", "/v1/notifications/telegram/link"): Entry(SIGNED_IN),
    ("DELETE", "/v1/notifications/telegram/link"): Entry(SIGNED_IN),
    ("POST", "/v1/notifications/telegram/webhook"): Entry(PUBLIC, _telegram_update),  # the secret token is checked
    ("POST", "/v1/notifications/push/subscriptions"): Entry(SIGNED_IN, _push_subscription),
    ("DELETE", "/v1/notifications/push/subscriptions"): Entry(
        SIGNED_IN, lambda w, c: {"json": {"endpoint": f"https://push.example.com/wp/matrix-{c}"}}
    ),
    ("GET", "/v1/notifications/push/key"): Entry(PUBLIC),
    ("GET", "/v1/notifications/unsubscribe"): Entry(PUBLIC, lambda w, c: {"params": _unsubscribe_link(w, c)["params"]}),
    ("POST", "/v1/notifications/unsubscribe"): Entry(PUBLIC, _unsubscribe_link),  # RFC 8058 one-click
}


def template_routes() -> dict[tuple[str, str], tpl.HttpRoute]:
    routes = tpl.http_routes(tpl.load(localcloud.paths.TEMPLATE))
    return {(r.method, r.path): r for r in routes if r.path != "$default"}


def test_the_matrix_has_an_entry_for_every_route_of_the_template() -> None:
    routes = template_routes()
    assert set(MATRIX) == set(routes), "every route of template.yaml needs its row in MATRIX, and only those"
    for key, route in routes.items():
        public = MATRIX[key].expect == PUBLIC
        assert public == (route.authorizer is None), f"{key}: the template and the matrix disagree on public"


@pytest.fixture(scope="module")
def world(embedded: Cloud, platform: httpx.Client) -> Iterator[World]:
    own_company = embedded.http.get("/v1/users/me").json()["company_id"]
    assert own_company
    other_company = checks.create_company(embedded.http)["id"]
    own_user, other_user = register(embedded), register(embedded)
    for user, company in ((own_user, own_company), (other_user, other_company)):
        set_roles(platform, user.id, ["paid_user"])
        sql(embedded, "UPDATE users SET company_id = %s WHERE id = %s", (company, user.id))
    signed_in = {
        caller: embedded.client_for(DEMO_ROLE[caller]) for caller in ("free_user", "paid_user", "platform_admin")
    }
    clients = {
        "anonymous": embedded.anonymous,
        "company_admin_owner": embedded.http,
        "company_admin_other": embedded.http,
        **signed_in,
    }
    yield World(embedded, clients, own_company, own_user.id, other_user.id, register(embedded))
    for client in signed_in.values():
        client.close()


def _matches(expected: int | str, status: int) -> bool:
    return 200 <= status < 300 if expected == OK else status == expected


class _Pace:
    """Keeps the demo company admin (both company_admin callers are that one account) under its 100 requests
    per wall-clock minute: the matrix makes more than that, so it waits for the next minute when close."""

    BUDGET = 80  # of the 100, leaving room for the requests a `target` or `request` makes itself

    def __init__(self) -> None:
        self.minute, self.count = int(time.time() // 60), 0

    def admin_request(self) -> None:
        minute = int(time.time() // 60)
        if minute != self.minute:
            self.minute, self.count = minute, 0
        if self.count >= self.BUDGET:
            time.sleep(60.5 - time.time() % 60)
            self.minute, self.count = int(time.time() // 60), 0
        self.count += 1


def test_every_route_answers_every_caller_as_the_matrix_says(world: World) -> None:
    wrong = []
    pace = _Pace()
    for (method, template_path), entry in MATRIX.items():
        for caller, expected in zip(CALLERS, entry.expect, strict=True):
            if caller.startswith("company_admin"):
                pace.admin_request()
            path = entry.target(world, caller) if entry.target else world.path(template_path, caller)
            response = world.clients[caller].request(method, path, **entry.request(world, caller))
            if not _matches(expected, response.status_code):
                wrong.append(
                    f"{method} {path} as {caller}: want {expected}, got {response.status_code} {response.text[:200]}"
                )
            elif caller == "anonymous" and expected == 401 and response.json() != GATEWAY_UNAUTHORIZED:
                # Without the header the gateway answers itself; the authorizer is not even asked.
                wrong.append(f"{method} {path} as anonymous: not the gateway's 401: {response.text[:200]}")
    assert not wrong, "\n".join(wrong)
    if pace.count > 30:  # leave the next tests, as the same admin, a fresh minute
        time.sleep(60.5 - time.time() % 60)


def test_a_company_admin_lists_only_the_users_of_their_company(world: World) -> None:
    listed = world.clients["company_admin_owner"].get("/v1/admin/users", params={"limit": 200})
    assert listed.status_code == 200, listed.text
    ids = {u["id"] for u in listed.json()["items"]}
    assert world.own_user in ids
    assert world.other_user not in ids
    assert {u["company_id"] for u in listed.json()["items"]} == {world.own_company}
    everyone = world.clients["platform_admin"].get("/v1/admin/users", params={"limit": 200})
    assert {world.own_user, world.other_user} <= {u["id"] for u in everyone.json()["items"]}


def test_only_a_platform_admin_grants_platform_admin(world: World) -> None:
    grant = world.clients["company_admin_owner"].put(
        f"/v1/admin/users/{world.own_user}/roles", json={"roles": ["platform_admin"]}
    )
    assert_problem(grant, 403)


# --- 3. attacks ----------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


@dataclass
class Forger:
    """Tokens for a real account, signed with the deployment's key or not, as an attacker would try."""

    keys: KeySet
    token: str  # a genuine access token
    claims: dict[str, Any]  # its claims

    @property
    def kid(self) -> str:
        return self.keys.active.kid

    def claims_now(self, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        return {**self.claims, "jti": str(uuid.uuid4()), "iat": now, "nbf": now, "exp": now + 3600, **changes}

    def signed(self, key: rsa.RSAPrivateKey | None = None, kid: str | None = None, **changes: Any) -> str:
        claims = {k: v for k, v in self.claims_now(**changes).items() if v is not None}
        signer = key or self.keys.active.private_key()
        return jwt.encode(claims, signer, algorithm="RS256", headers={"kid": kid or self.kid})

    def public_pem(self) -> bytes:
        return (
            self.keys.active.private_key()
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )


@pytest.fixture(scope="module")
def forger(embedded: Cloud) -> Forger:
    account = register(embedded)
    token = embedded.login(account.email, account.password)["access_token"]
    keys = KeySet.from_json((embedded.state_dir / "jwt-keys.json").read_text())
    return Forger(keys, token, jwt.decode(token, options={"verify_signature": False}))


def _tampered_signature(f: Forger) -> str:
    head, body, signature = f.token.split(".")
    middle = len(signature) // 2
    flipped = "A" if signature[middle] != "A" else "B"
    return f"{head}.{body}.{signature[:middle]}{flipped}{signature[middle + 1 :]}"


def _escalated_claims(f: Forger) -> str:
    head, _, signature = f.token.split(".")
    claims = {**f.claims, "roles": ["platform_admin"], "permissions": ["admin:*"]}
    return f"{head}.{_b64(json.dumps(claims).encode())}.{signature}"


def _alg_none(f: Forger) -> str:
    return _unsigned({"alg": "none", "typ": "JWT", "kid": f.kid}, f.claims_now()) + "."


def _hs256_with_public_key(f: Forger) -> str:
    signing_input = _unsigned({"alg": "HS256", "typ": "JWT", "kid": f.kid}, f.claims_now())
    mac = hmac.new(f.public_pem(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def _expired(f: Forger) -> str:
    hour_ago = int(time.time()) - 3600
    return f.signed(iat=hour_ago - 3600, nbf=hour_ago - 3600, exp=hour_ago)


def _attacker_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


ATTACKS: dict[str, Callable[[Forger], str]] = {
    "tampered signature": _tampered_signature,
    "claims changed under the signature": _escalated_claims,
    "alg none": _alg_none,
    "HS256 signed with the public key": _hs256_with_public_key,
    "unknown kid": lambda f: f.signed(_attacker_key(), kid="key-attacker"),
    "our kid, attacker's key": lambda f: f.signed(_attacker_key()),
    "expired": _expired,
    "not yet valid": lambda f: f.signed(nbf=int(time.time()) + 600),
    "wrong issuer": lambda f: f.signed(iss="https://evil.example.com"),
    "wrong audience": lambda f: f.signed(aud="someone-else"),
    "lifetime over an hour": lambda f: f.signed(exp=int(time.time()) + 86400),
    "no jti": lambda f: f.signed(jti=None),
    "no exp": lambda f: f.signed(exp=None),
}

MALFORMED_HEADERS = {
    "scheme only": "Bearer",
    "basic auth": "Basic abc",
    "two segments": "Bearer a.b",
    "garbage": "%%% not a token %%%",
    "two tokens": "Bearer a.b.c d.e.f",
    "oversized": "Bearer " + "a" * 9000,
}


def test_a_token_forged_with_the_deployment_key_is_accepted(embedded: Cloud, forger: Forger) -> None:
    """The control: the forger's tokens fail below only for the defect each one carries."""
    response = me(embedded, forger.signed())
    assert response.status_code == 200, response.text
    assert response.json()["email"] == forger.claims["email"]


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_forged_token_is_refused_by_the_authorizer(embedded: Cloud, forger: Forger, attack: str) -> None:
    response = me(embedded, ATTACKS[attack](forger))
    assert response.status_code == 403, response.text
    assert response.json() == GATEWAY_FORBIDDEN


@pytest.mark.parametrize("name", list(MALFORMED_HEADERS))
def test_malformed_authorization_header_is_refused(embedded: Cloud, name: str) -> None:
    response = embedded.anonymous.get("/v1/users/me", headers={"Authorization": MALFORMED_HEADERS[name]})
    assert response.status_code == 403, response.text
    assert response.json() == GATEWAY_FORBIDDEN


def test_empty_authorization_header_is_the_gateways_401(embedded: Cloud) -> None:
    response = embedded.anonymous.get("/v1/users/me", headers={"Authorization": ""})
    assert response.status_code == 401, response.text
    assert response.json() == GATEWAY_UNAUTHORIZED


def test_access_token_revoked_at_logout_is_refused(embedded: Cloud) -> None:
    account = register(embedded)
    tokens = embedded.login(account.email, account.password)
    assert me(embedded, tokens["access_token"]).status_code == 200  # the gateway now caches its allow
    out = embedded.anonymous.post("/v1/auth/logout", json={}, headers=bearer(tokens["access_token"]))
    assert out.status_code == 204, out.text
    body = assert_problem(me(embedded, tokens["access_token"]), 401)
    assert "no longer valid" in body["detail"]
    # The refresh token was not handed in at logout, so it still gives a new session.
    assert refresh(embedded, tokens["refresh_token"]).status_code == 200


def test_reused_refresh_token_is_refused_and_revokes_its_family(embedded: Cloud) -> None:
    account = register(embedded)
    first = embedded.login(account.email, account.password)["refresh_token"]
    second = refresh(embedded, first)
    assert second.status_code == 200, second.text
    assert_problem(refresh(embedded, first), 401)
    assert_problem(refresh(embedded, second.json()["refresh_token"]), 401)
    assert_problem(refresh(embedded, "x" * 43), 401)  # never issued


def test_deactivated_account_is_locked_out(embedded: Cloud, platform: httpx.Client) -> None:
    account = register(embedded)
    tokens = embedded.login(account.email, account.password)
    deactivated = platform.post(f"/v1/admin/users/{account.id}/deactivate")
    assert deactivated.status_code == 200, deactivated.text
    assert deactivated.json()["is_active"] is False
    assert "disabled" in assert_problem(me(embedded, tokens["access_token"]), 401)["detail"]
    assert_problem(refresh(embedded, tokens["refresh_token"]), 401)


def test_role_change_refuses_a_token_issued_in_the_same_second(embedded: Cloud, platform: httpx.Client) -> None:
    """A demoted user's tokens stop working, however recently they were issued.

    Fails today: SecurityState.invalidate_tokens stores `valid_after` in whole seconds and
    check_request refuses only `iat < valid_after`, so a token issued earlier in the same second as
    the role change keeps its old roles for its whole hour (password changes share the flaw).
    """
    account = register(embedded)
    set_roles(platform, account.id, ["paid_user"])
    wait_for_next_second()
    token = embedded.login(account.email, account.password)["access_token"]
    set_roles(platform, account.id, ["free_user"])  # demoted: no more company:write
    write = embedded.anonymous.post("/v1/companies", json=company_body(), headers=bearer(token))
    assert write.status_code == 401, f"the demoted user's token still works: {write.status_code} {write.text}"


def test_non_json_login_is_400(embedded: Cloud) -> None:
    response = embedded.anonymous.post(
        "/v1/auth/login", content=b"email=a@b.cd&password=x", headers={"content-type": "application/json"}
    )
    assert [e["field"] for e in assert_problem(response, 400)["errors"]] == ["body"]


def test_oversized_register_body_is_a_client_error(embedded: Cloud) -> None:
    padding = "a" * 2_000_000
    body = json.dumps({"email": f"big-{uuid.uuid4().hex[:8]}@example.com", "password": padding}).encode()
    response = embedded.anonymous.post("/v1/auth/register", content=body, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500, response.text[:500]


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Short-1", "at least 10 characters"),
        ("only-letters-here", "both letters and digits"),
        ("welcome123", "too common"),
        ("{local}-2026-x", "must not contain your email address"),
    ],
)
def test_weak_password_is_422_naming_the_field_and_the_rule(embedded: Cloud, password: str, rule: str) -> None:
    local = f"weak{uuid.uuid4().hex[:8]}"
    response = embedded.anonymous.post(
        "/v1/auth/register", json={"email": f"{local}@example.com", "password": password.format(local=local)}
    )
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["password"]
    assert rule in body["errors"][0]["message"]


def test_duplicate_email_is_409(embedded: Cloud) -> None:
    account = register(embedded)
    for email in (account.email, account.email.upper()):
        again = embedded.anonymous.post("/v1/auth/register", json={"email": email, "password": "Another-pass-42"})
        assert [e["field"] for e in assert_problem(again, 409)["errors"]] == ["email"]


# --- 4. rate limit -------------------------------------------------------------------------------
def test_the_101st_request_in_a_minute_is_429(embedded: Cloud) -> None:
    account = register(embedded)
    token = embedded.login(account.email, account.password)["access_token"]
    # The limit counts per wall-clock minute: start early in one so all 101 requests fall in it.
    if time.time() % 60 > 30:
        time.sleep(60.5 - time.time() % 60)
    with embedded.client_with(token) as client:
        statuses = [client.get("/v1/users/me").status_code for _ in range(100)]
        assert statuses == [200] * 100
        over = client.get("/v1/users/me")
    body = assert_problem(over, 429)
    assert "100 requests per minute" in body["detail"]
    assert 1 <= int(over.headers["retry-after"]) <= 61


# --- 5. login throttling -------------------------------------------------------------------------
def test_five_wrong_passwords_throttle_even_the_right_one(embedded: Cloud) -> None:
    account = register(embedded)
    for _ in range(5):
        wrong = embedded.anonymous.post("/v1/auth/login", json={"email": account.email, "password": "Wrong-pass-123"})
        assert assert_problem(wrong, 401)["detail"] == "invalid email or password"
    right = embedded.anonymous.post("/v1/auth/login", json={"email": account.email, "password": account.password})
    assert_problem(right, 429)
    assert 1 <= int(right.headers["retry-after"]) <= 900


# --- 6. audit ------------------------------------------------------------------------------------
def test_registration_and_company_creation_are_audited(embedded: Cloud, platform: httpx.Client) -> None:
    account = register(embedded)
    registered = sql(
        embedded,
        "SELECT actor_id::text, action, source_ip, change->>'email' FROM audit_log"
        " WHERE resource_id = %s AND action = 'user.registered'",
        (account.id,),
    )
    assert registered == [(account.id, "user.registered", "127.0.0.1", account.email)]

    set_roles(platform, account.id, ["paid_user"])
    token = embedded.login(account.email, account.password)["access_token"]
    company = embedded.anonymous.post("/v1/companies", json=company_body(), headers=bearer(token))
    assert company.status_code == 201, company.text
    created = sql(
        embedded,
        "SELECT actor_id::text, action, source_ip, request_id IS NOT NULL FROM audit_log"
        " WHERE resource_type = 'company' AND resource_id = %s",
        (company.json()["id"],),
    )
    assert created == [(account.id, "company.created", "127.0.0.1", True)]
