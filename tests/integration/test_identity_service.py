"""Identity use cases on a real Postgres (accounts, refresh tokens, audit log) and a real Redis
(revocation, disabled accounts, login throttling, rate limits).

Every test uses its own email addresses and source IPs, so Redis counters and rows of one test
never reach another.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from shared import errors
from shared.audit import RequestOrigin
from shared.identity import accounts, guard, service
from shared.identity.guard import Principal
from shared.identity.keys import KeySet
from shared.identity.model import LoginCommand, RegisterCommand, SetRolesCommand, TokenPair, User
from shared.identity.roles import Permission
from shared.identity.security_state import WINDOW_SECONDS
from shared.identity.tokens import ACCESS_TOKEN_SECONDS, verify_access_token
from shared.settings import Settings

pytestmark = pytest.mark.integration

PASSWORD = "Tundra-river-4821"


# --- helpers ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def keys() -> KeySet:
    key_set = KeySet()
    key_set.rotate()
    return key_set


@pytest.fixture
def settings(postgres_url: str, redis_url: str) -> Settings:
    return Settings(database_url=postgres_url, redis_url=redis_url)


def unique_email(tag: str = "user") -> str:
    return f"{tag}.{uuid.uuid4().hex[:12]}@example.ru"


def new_origin() -> RequestOrigin:
    """A request origin with its own source IP (login throttling counts per IP)."""
    octets = ".".join(str(secrets.randbelow(254) + 1) for _ in range(3))
    return RequestOrigin(source_ip=f"10.{octets}", user_agent="pytest-identity/1.0", request_id=str(uuid.uuid4()))


def register(settings: Settings, email: str | None = None, origin: RequestOrigin | None = None) -> User:
    command = RegisterCommand(email=email or unique_email(), password=PASSWORD, full_name="Ольга Смирнова")
    return service.register(settings, command, origin or new_origin())


def login(
    settings: Settings,
    keys: KeySet,
    email: str,
    password: str = PASSWORD,
    origin: RequestOrigin | None = None,
) -> TokenPair:
    return service.login(settings, keys, LoginCommand(email=email, password=password), origin or new_origin())


def principal_of(keys: KeySet, access_token: str) -> Principal:
    """What the authorizer derives from a token, passed through the gateway's flat context."""
    c = verify_access_token(keys, access_token)
    verified = Principal.from_claims(c)
    return Principal.from_context(verified.as_context())


def event_for(principal: Principal, origin: RequestOrigin | None = None) -> dict[str, Any]:
    """An HTTP API (payload 2.0) event as it reaches a function behind the Lambda authorizer."""
    origin = origin or new_origin()
    return {
        "version": "2.0",
        "routeKey": "GET /v1/me",
        "rawPath": "/v1/me",
        "headers": {},
        "requestContext": {
            "requestId": origin.request_id,
            "http": {"method": "GET", "path": "/v1/me", "sourceIp": origin.source_ip, "userAgent": origin.user_agent},
            "authorizer": {"lambda": principal.as_context()},
        },
    }


def create_account(
    postgres_url: str, roles: list[str], company_id: str | None = None, email: str | None = None
) -> User:
    return accounts.create_account(
        postgres_url, email=email or unique_email(roles[0]), password=PASSWORD, roles=roles, company_id=company_id
    )


def create_company(pg: Any, name: str) -> str:
    slug = f"{name.lower()}-{uuid.uuid4().hex[:10]}"
    row = pg.execute(
        "INSERT INTO companies (slug, name, industry) VALUES (%s, %s, %s) RETURNING id", (slug, name, "fintech")
    ).fetchone()
    pg.commit()
    return str(row["id"])


def audit_rows(pg: Any, action: str, resource_id: str | None = None, email: str | None = None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pg.execute(
        "SELECT id, actor_id::text AS actor_id, action, resource_type, resource_id, source_ip, user_agent,"
        " request_id, change FROM audit_log WHERE action = %s"
        " AND (%s::text IS NULL OR resource_id = %s) AND (%s::text IS NULL OR change->>'email' = %s) ORDER BY id",
        (action, resource_id, resource_id, email, email),
    ).fetchall()
    pg.rollback()
    return rows


def assert_audited(
    pg: Any, action: str, *, resource_id: str, actor_id: str | None, origin: RequestOrigin
) -> dict[str, Any]:
    """Exactly one row of this action on this resource, from this request, by this actor."""
    rows = [r for r in audit_rows(pg, action, resource_id) if r["request_id"] == origin.request_id]
    assert len(rows) == 1, f"expected one {action} audit row for {resource_id}, found {rows}"
    row = rows[0]
    assert row["actor_id"] == actor_id
    assert row["source_ip"] == origin.source_ip
    assert row["user_agent"] == origin.user_agent
    return row


def user_row(pg: Any, user_id: str) -> dict[str, Any]:
    row: dict[str, Any] = pg.execute(
        "SELECT email, password_hash, roles, company_id::text AS company_id, is_active, last_login_at"
        " FROM users WHERE id = %s",
        (user_id,),
    ).fetchone()
    pg.rollback()
    return row


def at_start_of_window(margin: float = 5.0) -> None:
    """Sleep into the next rate-limit window when this one ends within `margin` seconds."""
    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < margin:
        time.sleep(left + 0.1)


@pytest.fixture
def platform_admin(postgres_url: str, settings: Settings, keys: KeySet) -> Iterator[Principal]:
    admin = create_account(postgres_url, ["platform_admin"])
    yield principal_of(keys, login(settings, keys, admin.email).access_token)


# --- registration -------------------------------------------------------------------------------
def test_register_creates_a_free_user_and_an_audit_row(settings: Settings, pg: Any) -> None:
    email = unique_email("Olga.Smirnova")
    origin = new_origin()

    user = register(settings, email, origin)

    assert user.email == email
    assert user.roles == ["free_user"]
    assert user.is_active is True
    assert user.company_id is None
    assert user.full_name == "Ольга Смирнова"
    stored = user_row(pg, str(user.id))
    assert stored["roles"] == ["free_user"] and stored["is_active"] is True
    assert stored["password_hash"].startswith("$argon2id$v=19$m=65536,t=3,p=1$")
    assert PASSWORD not in stored["password_hash"]

    row = assert_audited(pg, "user.registered", resource_id=str(user.id), actor_id=str(user.id), origin=origin)
    assert row["resource_type"] == "user"
    assert row["change"] == {"email": email, "roles": ["free_user"]}


def test_duplicate_email_in_another_case_is_a_conflict(settings: Settings, pg: Any) -> None:
    email = unique_email("Anna.Volkova")
    first = register(settings, email)

    with pytest.raises(errors.Conflict) as info:
        register(settings, email.upper())
    assert info.value.field == "email"
    assert info.value.status == 409

    count = pg.execute("SELECT count(*) AS n FROM users WHERE lower(email) = lower(%s)", (email,)).fetchone()["n"]
    pg.rollback()
    assert count == 1
    assert len(audit_rows(pg, "user.registered", str(first.id))) == 1
    assert audit_rows(pg, "user.registered", email=email.upper()) == []  # the refused one left no row


@pytest.mark.parametrize(
    ("password", "words"),
    [("short1", "at least 10"), ("onlyletterslong", "letters and digits"), ("iloveyou12", "too common")],
)
def test_weak_password_is_unprocessable(settings: Settings, pg: Any, password: str, words: str) -> None:
    email = unique_email()
    with pytest.raises(errors.Unprocessable) as info:
        service.register(settings, RegisterCommand(email=email, password=password), new_origin())
    assert info.value.field == "password"
    assert words in info.value.detail
    assert pg.execute("SELECT 1 FROM users WHERE lower(email) = lower(%s)", (email,)).fetchone() is None
    pg.rollback()


def test_password_containing_the_email_is_refused(settings: Settings) -> None:
    email = unique_email("sergei")
    local = email.split("@")[0]
    with pytest.raises(errors.Unprocessable) as info:
        service.register(settings, RegisterCommand(email=email, password=f"{local}-99"), new_origin())
    assert info.value.field == "password"
    assert "email" in info.value.detail


# --- login --------------------------------------------------------------------------------------
def test_login_returns_a_token_pair_whose_access_token_verifies(settings: Settings, keys: KeySet, pg: Any) -> None:
    email = unique_email("Pavel.Orlov")
    user = register(settings, email)
    origin = new_origin()

    pair = login(settings, keys, email.lower(), origin=origin)  # emails match case-insensitively

    assert pair.token_type == "Bearer"
    assert pair.expires_in == ACCESS_TOKEN_SECONDS
    claims = verify_access_token(keys, pair.access_token)
    assert claims.sub == str(user.id)
    assert claims.email == email
    assert claims.roles == ("free_user",)
    assert claims.permissions == ("company:read", "partnership:read")
    assert claims.company_id is None
    assert claims.exp - claims.iat == ACCESS_TOKEN_SECONDS

    stored = pg.execute(
        "SELECT user_id::text AS user_id, used_at, revoked_at FROM refresh_tokens WHERE token_hash = %s",
        (hashlib.sha256(pair.refresh_token.encode()).hexdigest(),),
    ).fetchone()
    pg.rollback()
    assert stored == {"user_id": str(user.id), "used_at": None, "revoked_at": None}
    assert user_row(pg, str(user.id))["last_login_at"] is not None
    assert_audited(pg, "user.logged_in", resource_id=str(user.id), actor_id=str(user.id), origin=origin)


def test_wrong_password_and_unknown_email_fail_alike(settings: Settings, keys: KeySet, pg: Any) -> None:
    user = register(settings)
    unknown = unique_email("nobody")
    wrong_origin, unknown_origin = new_origin(), new_origin()

    with pytest.raises(errors.Unauthorized) as wrong:
        login(settings, keys, user.email, "Wrong-password-77", origin=wrong_origin)
    with pytest.raises(errors.Unauthorized) as missing:
        login(settings, keys, unknown, PASSWORD, origin=unknown_origin)

    assert str(wrong.value) == str(missing.value) == service.BAD_CREDENTIALS
    assert wrong.value.detail == missing.value.detail
    assert wrong.value.field is None and missing.value.field is None

    assert_audited(pg, "user.login_failed", resource_id=str(user.id), actor_id=str(user.id), origin=wrong_origin)
    (row,) = audit_rows(pg, "user.login_failed", email=unknown)
    assert row["actor_id"] is None and row["resource_id"] is None
    assert row["source_ip"] == unknown_origin.source_ip


def test_account_is_locked_after_too_many_failures(settings: Settings, keys: KeySet) -> None:
    user = register(settings)
    limit = settings.login_failures_per_account
    for _ in range(limit):  # each from another IP: the account counter alone must block
        with pytest.raises(errors.Unauthorized):
            login(settings, keys, user.email, "Wrong-password-77")

    with pytest.raises(errors.TooManyRequests) as info:
        login(settings, keys, user.email.upper(), PASSWORD)  # the right password, any case
    assert 0 < info.value.retry_after <= settings.login_failure_window_seconds
    assert info.value.status == 429

    # Another account is not affected.
    other = register(settings)
    assert login(settings, keys, other.email).access_token


def test_unknown_email_is_locked_like_a_real_account(settings: Settings, keys: KeySet) -> None:
    """No enumeration through the lockout either: unknown emails lock after the same count."""
    email = unique_email("ghost")
    for _ in range(settings.login_failures_per_account):
        with pytest.raises(errors.Unauthorized):
            login(settings, keys, email)
    with pytest.raises(errors.TooManyRequests):
        login(settings, keys, email)


def test_success_resets_the_account_counter(settings: Settings, keys: KeySet) -> None:
    user = register(settings)
    for _round in range(2):
        for _ in range(settings.login_failures_per_account - 1):
            with pytest.raises(errors.Unauthorized):
                login(settings, keys, user.email, "Wrong-password-77")
        assert login(settings, keys, user.email).access_token


def test_source_ip_is_locked_after_too_many_failures(postgres_url: str, redis_url: str, keys: KeySet) -> None:
    settings = Settings(database_url=postgres_url, redis_url=redis_url, login_failures_per_ip=3)
    user = register(settings)
    attacker = new_origin()
    for _ in range(3):  # a different unknown email each time: only the IP counter adds up
        with pytest.raises(errors.Unauthorized):
            login(settings, keys, unique_email("spray"), PASSWORD, origin=attacker)

    with pytest.raises(errors.TooManyRequests) as info:
        login(settings, keys, user.email, PASSWORD, origin=attacker)
    assert info.value.retry_after > 0

    same_ip_again = RequestOrigin(source_ip=attacker.source_ip, user_agent="other", request_id="r")
    with pytest.raises(errors.TooManyRequests):
        login(settings, keys, user.email, PASSWORD, origin=same_ip_again)
    assert login(settings, keys, user.email, PASSWORD, origin=new_origin()).access_token


def test_deactivated_account_cannot_log_in(
    settings: Settings, keys: KeySet, platform_admin: Principal, pg: Any
) -> None:
    user = register(settings)
    before = principal_of(keys, login(settings, keys, user.email).access_token)
    assert guard.require(settings, event_for(before)).user_id == str(user.id)
    origin = new_origin()

    result = service.deactivate(settings, platform_admin, str(user.id), origin)

    assert result.is_active is False
    assert user_row(pg, str(user.id))["is_active"] is False
    with pytest.raises(errors.Unauthorized) as info:
        login(settings, keys, user.email)
    assert info.value.detail == service.BAD_CREDENTIALS  # no hint that the account exists
    with pytest.raises(errors.Unauthorized):
        guard.require(settings, event_for(before))
    assert_audited(pg, "user.deactivated", resource_id=str(user.id), actor_id=platform_admin.user_id, origin=origin)


def test_nobody_deactivates_themselves(settings: Settings, platform_admin: Principal) -> None:
    with pytest.raises(errors.Conflict):
        service.deactivate(settings, platform_admin, platform_admin.user_id, new_origin())


# --- refresh and logout ---------------------------------------------------------------------------
def test_refresh_rotates_and_reuse_revokes_the_family(settings: Settings, keys: KeySet, pg: Any) -> None:
    user = register(settings)
    first = login(settings, keys, user.email)
    parallel = login(settings, keys, user.email)  # another device: its own family
    origin = new_origin()

    second = service.refresh(settings, keys, first.refresh_token, origin)

    assert second.refresh_token != first.refresh_token
    assert second.access_token != first.access_token
    assert verify_access_token(keys, second.access_token).sub == str(user.id)
    assert_audited(pg, "token.refreshed", resource_id=str(user.id), actor_id=str(user.id), origin=origin)

    reuse_origin = new_origin()
    with pytest.raises(errors.Unauthorized):
        service.refresh(settings, keys, first.refresh_token, reuse_origin)  # reuse of a spent token
    with pytest.raises(errors.Unauthorized):
        service.refresh(settings, keys, second.refresh_token, new_origin())  # its family is revoked
    refused = [r for r in audit_rows(pg, "token.refresh_refused") if r["request_id"] == reuse_origin.request_id]
    assert len(refused) == 1 and refused[0]["source_ip"] == reuse_origin.source_ip

    family = pg.execute(
        "SELECT family_id, count(*) AS n, count(revoked_at) AS revoked FROM refresh_tokens"
        " WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = %s) GROUP BY family_id",
        (hashlib.sha256(first.refresh_token.encode()).hexdigest(),),
    ).fetchone()
    pg.rollback()
    assert (family["n"], family["revoked"]) == (2, 2)

    assert service.refresh(settings, keys, parallel.refresh_token, new_origin()).access_token  # untouched


def test_unknown_refresh_token_is_refused(settings: Settings, keys: KeySet) -> None:
    with pytest.raises(errors.Unauthorized):
        service.refresh(settings, keys, secrets.token_urlsafe(32), new_origin())


def test_logout_revokes_the_access_token_and_the_refresh_family(settings: Settings, keys: KeySet, pg: Any) -> None:
    user = register(settings)
    pair = login(settings, keys, user.email)
    other_device = principal_of(keys, login(settings, keys, user.email).access_token)
    principal = principal_of(keys, pair.access_token)
    assert guard.require(settings, event_for(principal)) == principal
    origin = new_origin()

    service.logout(settings, principal, pair.refresh_token, origin)

    with pytest.raises(errors.Unauthorized):
        guard.require(settings, event_for(principal))
    with pytest.raises(errors.Unauthorized):
        service.refresh(settings, keys, pair.refresh_token, new_origin())
    assert guard.require(settings, event_for(other_device)).user_id == str(user.id)  # only this session ended
    assert_audited(pg, "user.logged_out", resource_id=str(user.id), actor_id=str(user.id), origin=origin)


def test_logout_cannot_revoke_another_users_refresh_token(settings: Settings, keys: KeySet) -> None:
    mallory = principal_of(keys, login(settings, keys, register(settings).email).access_token)
    victim = login(settings, keys, register(settings).email)
    service.logout(settings, mallory, victim.refresh_token, new_origin())
    assert service.refresh(settings, keys, victim.refresh_token, new_origin()).access_token


# --- the guard ------------------------------------------------------------------------------------
def test_guard_requires_an_authorizer_context(settings: Settings) -> None:
    with pytest.raises(errors.Unauthorized):
        guard.require(settings, {"requestContext": {"http": {"sourceIp": "10.0.0.1"}}})
    with pytest.raises(errors.Unauthorized):
        guard.require(settings, {"requestContext": {"authorizer": {"lambda": {"email": "x@example.ru"}}}})


def test_guard_forbids_without_the_permission(settings: Settings, keys: KeySet) -> None:
    principal = principal_of(keys, login(settings, keys, register(settings).email).access_token)
    assert guard.require(settings, event_for(principal), Permission.COMPANY_READ) == principal
    for needed in (Permission.COMPANY_WRITE, Permission.USER_MANAGE, Permission.ADMIN_FULL):
        with pytest.raises(errors.Forbidden) as info:
            guard.require(settings, event_for(principal), needed)
        assert info.value.status == 403
        assert needed.value in info.value.detail


def test_platform_admin_passes_every_permission(settings: Settings, platform_admin: Principal) -> None:
    for needed in Permission:
        assert guard.require(settings, event_for(platform_admin), needed) == platform_admin


def test_guard_limits_requests_per_minute_by_plan(
    postgres_url: str, redis_url: str, keys: KeySet, settings: Settings
) -> None:
    limited = Settings(database_url=postgres_url, redis_url=redis_url, rate_limits={"free": 3, "paid": 5, "admin": 9})
    free = principal_of(keys, login(settings, keys, register(settings).email).access_token)
    paid_user = create_account(postgres_url, ["paid_user"])
    paid = principal_of(keys, login(settings, keys, paid_user.email).access_token)
    at_start_of_window()

    for _ in range(3):
        guard.require(limited, event_for(free))
    with pytest.raises(errors.TooManyRequests) as info:
        guard.require(limited, event_for(free))
    assert 0 < info.value.retry_after <= WINDOW_SECONDS + 1
    assert info.value.status == 429

    for _ in range(5):  # the paid plan's own limit, unaffected by the free user's count
        guard.require(limited, event_for(paid))
    with pytest.raises(errors.TooManyRequests):
        guard.require(limited, event_for(paid))


# --- administration -------------------------------------------------------------------------------
def test_platform_admin_sets_roles_and_older_tokens_stop_working(
    settings: Settings, keys: KeySet, platform_admin: Principal, pg: Any
) -> None:
    user = register(settings)
    old_pair = login(settings, keys, user.email)
    old = principal_of(keys, old_pair.access_token)
    assert guard.require(settings, event_for(old)) == old
    origin = new_origin()

    changed = service.set_roles(settings, platform_admin, str(user.id), SetRolesCommand(roles=["paid_user"]), origin)

    assert changed.roles == ["paid_user"]
    assert user_row(pg, str(user.id))["roles"] == ["paid_user"]
    with pytest.raises(errors.Unauthorized):
        guard.require(settings, event_for(old))
    with pytest.raises(errors.Unauthorized):
        service.refresh(settings, keys, old_pair.refresh_token, new_origin())

    fresh = principal_of(keys, login(settings, keys, user.email).access_token)
    assert fresh.roles == ("paid_user",)
    assert guard.require(settings, event_for(fresh), Permission.COMPANY_WRITE) == fresh

    row = assert_audited(
        pg, "user.roles_changed", resource_id=str(user.id), actor_id=platform_admin.user_id, origin=origin
    )
    assert row["change"] == {"before": ["free_user"], "after": ["paid_user"]}


def test_set_roles_of_a_missing_user_is_not_found(settings: Settings, platform_admin: Principal) -> None:
    with pytest.raises(errors.NotFound):
        service.set_roles(
            settings, platform_admin, str(uuid.uuid4()), SetRolesCommand(roles=["paid_user"]), new_origin()
        )


@pytest.fixture
def two_companies(pg: Any) -> tuple[str, str]:
    return create_company(pg, "Alfa"), create_company(pg, "Beta")


def test_company_admin_manages_only_their_own_company(
    settings: Settings, keys: KeySet, postgres_url: str, pg: Any, two_companies: tuple[str, str]
) -> None:
    company_a, company_b = two_companies
    admin_a = create_account(postgres_url, ["company_admin"], company_a)
    member_a = create_account(postgres_url, ["free_user"], company_a)
    member_b = create_account(postgres_url, ["free_user"], company_b)
    admin = principal_of(keys, login(settings, keys, admin_a.email).access_token)
    assert admin.company_id == company_a

    with pytest.raises(errors.Forbidden):
        service.set_roles(settings, admin, str(member_b.id), SetRolesCommand(roles=["paid_user"]), new_origin())
    with pytest.raises(errors.Forbidden):
        service.deactivate(settings, admin, str(member_b.id), new_origin())
    assert user_row(pg, str(member_b.id))["roles"] == ["free_user"]
    assert user_row(pg, str(member_b.id))["is_active"] is True
    assert audit_rows(pg, "user.roles_changed", str(member_b.id)) == []

    origin = new_origin()
    changed = service.set_roles(settings, admin, str(member_a.id), SetRolesCommand(roles=["paid_user"]), origin)
    assert changed.roles == ["paid_user"]
    assert_audited(pg, "user.roles_changed", resource_id=str(member_a.id), actor_id=admin.user_id, origin=origin)

    listed = service.list_users(settings, admin, after=None, limit=50)
    assert {str(u.id) for u in listed.items} == {str(admin_a.id), str(member_a.id)}


def test_company_admin_cannot_grant_platform_admin(
    settings: Settings, keys: KeySet, postgres_url: str, pg: Any, two_companies: tuple[str, str]
) -> None:
    company_a, _ = two_companies
    admin_a = create_account(postgres_url, ["company_admin"], company_a)
    member_a = create_account(postgres_url, ["free_user"], company_a)
    admin = principal_of(keys, login(settings, keys, admin_a.email).access_token)

    for grant in (["platform_admin"], ["company_admin", "platform_admin"]):
        command = SetRolesCommand.model_validate({"roles": grant})
        for target in (str(member_a.id), admin.user_id):  # a colleague, or themselves
            with pytest.raises(errors.Forbidden, match="platform_admin"):
                service.set_roles(settings, admin, target, command, new_origin())
    assert user_row(pg, str(member_a.id))["roles"] == ["free_user"]
    assert user_row(pg, admin.user_id)["roles"] == ["company_admin"]


def test_company_admin_cannot_demote_or_deactivate_a_platform_admin(
    settings: Settings, keys: KeySet, postgres_url: str, pg: Any, two_companies: tuple[str, str]
) -> None:
    """A platform admin who belongs to a company stays out of that company admin's reach."""
    company_a, _ = two_companies
    admin_a = create_account(postgres_url, ["company_admin"], company_a)
    operator = create_account(postgres_url, ["platform_admin"], company_a)
    admin = principal_of(keys, login(settings, keys, admin_a.email).access_token)

    with pytest.raises(errors.Forbidden):
        service.set_roles(settings, admin, str(operator.id), SetRolesCommand(roles=["free_user"]), new_origin())
    with pytest.raises(errors.Forbidden):
        service.deactivate(settings, admin, str(operator.id), new_origin())
    assert user_row(pg, str(operator.id))["roles"] == ["platform_admin"]
    assert user_row(pg, str(operator.id))["is_active"] is True


def test_users_without_user_manage_cannot_manage_colleagues(
    settings: Settings, keys: KeySet, postgres_url: str, two_companies: tuple[str, str]
) -> None:
    company_a, _ = two_companies
    paid = create_account(postgres_url, ["paid_user"], company_a)
    colleague = create_account(postgres_url, ["free_user"], company_a)
    principal = principal_of(keys, login(settings, keys, paid.email).access_token)
    with pytest.raises(errors.Forbidden):
        service.set_roles(settings, principal, str(colleague.id), SetRolesCommand(roles=["paid_user"]), new_origin())
    with pytest.raises(errors.Forbidden):
        service.deactivate(settings, principal, str(colleague.id), new_origin())


# --- the audit log --------------------------------------------------------------------------------
def test_operator_created_accounts_are_audited(postgres_url: str, pg: Any) -> None:
    user = create_account(postgres_url, ["platform_admin"])
    (row,) = audit_rows(pg, "user.created_by_operator", str(user.id))
    assert row["actor_id"] is None
    assert row["source_ip"] == accounts.OPERATOR.source_ip
    assert row["change"] == {"email": user.email, "roles": ["platform_admin"]}


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET action = 'tampered' WHERE id = %(id)s",
        "DELETE FROM audit_log WHERE id = %(id)s",
        "TRUNCATE audit_log",
    ],
    ids=["update", "delete", "truncate"],
)
def test_audit_log_is_append_only(settings: Settings, pg: Any, statement: str) -> None:
    user = register(settings)
    (row,) = audit_rows(pg, "user.registered", str(user.id))

    try:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            pg.execute(statement, {"id": row["id"]})
    finally:
        pg.rollback()

    assert audit_rows(pg, "user.registered", str(user.id)) == [row]
