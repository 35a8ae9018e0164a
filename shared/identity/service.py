"""Identity use cases: register, log in, refresh, log out, profile, administration.

Each write records its audit row in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from shared import audit
from shared.audit import RequestOrigin
from shared.db import connection
from shared.errors import Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized, Unprocessable
from shared.identity import passwords, users
from shared.identity.guard import Principal, security_state
from shared.identity.lifetimes import ACCESS_TOKEN_SECONDS
from shared.identity.model import (
    LoginCommand,
    RegisterCommand,
    SetRolesCommand,
    TokenPair,
    UpdateMeCommand,
    User,
    UserPage,
)
from shared.identity.roles import Permission, Role
from shared.settings import Settings

if TYPE_CHECKING:
    from shared.identity.keys import KeySet

BAD_CREDENTIALS = "invalid email or password"


def _weak_password(password: str, email: str, field: str = "password") -> None:
    problems = passwords.policy_violations(password, email)
    if problems:
        raise Unprocessable(f"password {'; '.join(problems)}", field=field)


def register(settings: Settings, command: RegisterCommand, origin: RequestOrigin) -> User:
    _weak_password(command.password, command.email)
    hashed = passwords.hash_password(command.password)
    conn = connection(settings.database_url)
    with conn.transaction():
        user = users.insert_user(
            conn, email=command.email, password_hash=hashed, full_name=command.full_name, roles=[Role.FREE_USER]
        )
        if user is None:
            raise Conflict("an account with this email already exists", field="email")
        audit.record(
            conn,
            actor_id=str(user.id),
            action="user.registered",
            resource_type="user",
            resource_id=str(user.id),
            origin=origin,
            change={"email": user.email, "roles": user.roles},
        )
    return user


def _tokens(settings: Settings, keys: KeySet, user: User, family_id: str | None = None) -> TokenPair:
    from shared.identity.tokens import issue_access_token  # jwt + cryptography: only where tokens are made

    conn = connection(settings.database_url)
    access, _ = issue_access_token(
        keys,
        user_id=str(user.id),
        email=user.email,
        roles=user.roles,
        company_id=str(user.company_id) if user.company_id else None,
        generation=security_state(settings.redis_url).generation(str(user.id)),
    )
    refresh = users.issue_refresh_token(conn, str(user.id), family_id)
    return TokenPair(access_token=access, expires_in=ACCESS_TOKEN_SECONDS, refresh_token=refresh)


def login(settings: Settings, keys: KeySet, command: LoginCommand, origin: RequestOrigin) -> TokenPair:
    state = security_state(settings.redis_url)
    wait = state.login_blocked_for(
        command.email,
        origin.source_ip,
        per_account=settings.login_failures_per_account,
        per_ip=settings.login_failures_per_ip,
    )
    if wait:
        raise TooManyRequests("too many failed logins; try again later", retry_after=wait)
    conn = connection(settings.database_url)
    found = users.user_with_hash(conn, command.email)
    conn.rollback()
    if found is None:
        passwords.burn_time(command.password)
    if found is None or not passwords.verify_password(found[1], command.password) or not found[0].is_active:
        state.login_failed(command.email, origin.source_ip, settings.login_failure_window_seconds)
        with conn.transaction():
            audit.record(
                conn,
                actor_id=str(found[0].id) if found else None,
                action="user.login_failed",
                resource_type="user",
                resource_id=str(found[0].id) if found else None,
                origin=origin,
                change={"email": command.email.lower()},
            )
        raise Unauthorized(BAD_CREDENTIALS)
    user = found[0]
    state.login_succeeded(command.email)
    with conn.transaction():
        users.update_user(conn, str(user.id), last_login_at=datetime.now(UTC))
        pair = _tokens(settings, keys, user)
        audit.record(
            conn,
            actor_id=str(user.id),
            action="user.logged_in",
            resource_type="user",
            resource_id=str(user.id),
            origin=origin,
        )
    return pair


def refresh(settings: Settings, keys: KeySet, token: str, origin: RequestOrigin) -> TokenPair:
    conn = connection(settings.database_url)
    with conn.transaction():
        spent = users.spend_refresh_token(conn, token)
        user = users.get_user(conn, spent[0]) if spent else None
        if spent is None or user is None or not user.is_active:
            audit.record(
                conn,
                actor_id=str(user.id) if user else None,
                action="token.refresh_refused",
                resource_type="refresh_token",
                resource_id=None,
                origin=origin,
            )
    # Committed above even when refused: a detected reuse must stay revoked.
    if spent is None or user is None or not user.is_active:
        raise Unauthorized("invalid refresh token")
    with conn.transaction():
        pair = _tokens(settings, keys, user, family_id=spent[1])
        audit.record(
            conn,
            actor_id=str(user.id),
            action="token.refreshed",
            resource_type="user",
            resource_id=str(user.id),
            origin=origin,
        )
    return pair


def logout(settings: Settings, principal: Principal, refresh_token: str | None, origin: RequestOrigin) -> None:
    security_state(settings.redis_url).revoke_token(principal.jti, principal.exp)
    conn = connection(settings.database_url)
    with conn.transaction():
        if refresh_token:
            family = users.family_of(conn, refresh_token)
            if family and family[0] == principal.user_id:
                users.revoke_family(conn, family[1])
        audit.record(
            conn,
            actor_id=principal.user_id,
            action="user.logged_out",
            resource_type="user",
            resource_id=principal.user_id,
            origin=origin,
        )


def me(settings: Settings, principal: Principal) -> User:
    conn = connection(settings.database_url)
    user = users.get_user(conn, principal.user_id)
    conn.rollback()
    if user is None:
        raise NotFound("account not found")
    return user


def update_me(settings: Settings, principal: Principal, command: UpdateMeCommand, origin: RequestOrigin) -> User:
    changes: dict[str, Any] = {}
    if command.full_name is not None:
        changes["full_name"] = command.full_name
    conn = connection(settings.database_url)
    if command.new_password is not None:
        current = users.password_hash_of(conn, principal.user_id)
        conn.rollback()
        if (
            not command.current_password
            or not current
            or not passwords.verify_password(current, command.current_password)
        ):
            raise Unprocessable("the current password is wrong", field="current_password")
        _weak_password(command.new_password, principal.email, field="new_password")
        changes["password_hash"] = passwords.hash_password(command.new_password)
    if not changes:
        return me(settings, principal)
    with conn.transaction():
        user = users.update_user(conn, principal.user_id, **changes)
        if user is None:
            raise NotFound("account not found")
        if "password_hash" in changes:
            users.revoke_all_for_user(conn, principal.user_id)
            security_state(settings.redis_url).invalidate_tokens(principal.user_id)
        audit.record(
            conn,
            actor_id=principal.user_id,
            action="user.updated",
            resource_type="user",
            resource_id=principal.user_id,
            origin=origin,
            change={k: ("***" if k == "password_hash" else v) for k, v in changes.items()},
        )
    return user


# --- administration ------------------------------------------------------------------------------
def _managed_user(conn: Any, principal: Principal, user_id: str) -> User:
    """ABAC: platform admins manage everyone; company admins only their own company's users."""
    user = users.get_user(conn, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found", field="user_id")
    if principal.is_platform_admin:
        return user
    if Role.PLATFORM_ADMIN in user.roles:
        raise Forbidden("only a platform admin can manage a platform admin")
    if principal.can(Permission.USER_MANAGE) and principal.company_id and str(user.company_id) == principal.company_id:
        return user
    raise Forbidden("you can only manage users of your own company")


def list_users(settings: Settings, principal: Principal, after: str | None, limit: int) -> UserPage:
    if not principal.is_platform_admin and not principal.company_id:
        raise Forbidden("you can only manage users of your own company")
    conn = connection(settings.database_url)
    company = None if principal.is_platform_admin else principal.company_id
    items = users.list_users(conn, company_id=company, after=after, limit=limit + 1)
    conn.rollback()
    more = len(items) > limit
    items = items[:limit]
    return UserPage(items=items, next_cursor=str(items[-1].id) if more and items else None)


def set_roles(
    settings: Settings, principal: Principal, user_id: str, command: SetRolesCommand, origin: RequestOrigin
) -> User:
    if Role.PLATFORM_ADMIN in command.roles and not principal.is_platform_admin:
        raise Forbidden("only a platform admin can grant platform_admin")
    conn = connection(settings.database_url)
    with conn.transaction():
        before = _managed_user(conn, principal, user_id)
        user = users.update_user(conn, user_id, roles=list(dict.fromkeys(command.roles)))
        assert user is not None
        users.revoke_all_for_user(conn, user_id)
        audit.record(
            conn,
            actor_id=principal.user_id,
            action="user.roles_changed",
            resource_type="user",
            resource_id=user_id,
            origin=origin,
            change={"before": before.roles, "after": user.roles},
        )
    # Tokens carry roles: tokens issued before now stop working, the user logs in for new ones.
    security_state(settings.redis_url).invalidate_tokens(user_id)
    return user


def deactivate(settings: Settings, principal: Principal, user_id: str, origin: RequestOrigin) -> User:
    if user_id == principal.user_id:
        raise Conflict("you cannot deactivate your own account", field="user_id")
    conn = connection(settings.database_url)
    with conn.transaction():
        _managed_user(conn, principal, user_id)
        user = users.update_user(conn, user_id, is_active=False)
        assert user is not None
        users.revoke_all_for_user(conn, user_id)
        audit.record(
            conn,
            actor_id=principal.user_id,
            action="user.deactivated",
            resource_type="user",
            resource_id=user_id,
            origin=origin,
        )
    security_state(settings.redis_url).disable_user(user_id)
    return user
