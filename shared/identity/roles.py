"""Roles and permissions (seed "Authorization (RBAC + ABAC)"), and the plan each role is billed on."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    COMPANY_READ = "company:read"
    COMPANY_WRITE = "company:write"
    PARTNERSHIP_READ = "partnership:read"
    PARTNERSHIP_WRITE = "partnership:write"
    USER_MANAGE = "user:manage"
    ADMIN_FULL = "admin:*"


class Role(StrEnum):
    FREE_USER = "free_user"
    PAID_USER = "paid_user"
    COMPANY_ADMIN = "company_admin"
    PLATFORM_ADMIN = "platform_admin"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.FREE_USER: frozenset({Permission.COMPANY_READ, Permission.PARTNERSHIP_READ}),
    Role.PAID_USER: frozenset(
        {Permission.COMPANY_READ, Permission.COMPANY_WRITE, Permission.PARTNERSHIP_READ, Permission.PARTNERSHIP_WRITE}
    ),
    Role.COMPANY_ADMIN: frozenset(
        {
            Permission.COMPANY_READ,
            Permission.COMPANY_WRITE,
            Permission.PARTNERSHIP_READ,
            Permission.PARTNERSHIP_WRITE,
            Permission.USER_MANAGE,
        }
    ),
    Role.PLATFORM_ADMIN: frozenset({Permission.ADMIN_FULL}),
}


def permissions_for(roles: list[str] | tuple[str, ...]) -> list[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(Role(role), frozenset())
    return sorted(granted)


def allows(permissions: list[str] | tuple[str, ...], needed: Permission) -> bool:
    """`admin:*` grants everything."""
    return Permission.ADMIN_FULL in permissions or needed in permissions


def plan_for(roles: list[str] | tuple[str, ...]) -> str:
    """The rate-limit plan: admin > paid > free."""
    if Role.PLATFORM_ADMIN in roles:
        return "admin"
    if Role.PAID_USER in roles or Role.COMPANY_ADMIN in roles:
        return "paid"
    return "free"
