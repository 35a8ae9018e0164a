"""The one guard every protected function uses: who is calling, may they, and not too often.

The API gateway's Lambda authorizer has already verified the token and put its claims in the
request context; the guard adds what a cached authorizer answer cannot know (a token revoked at
logout, an account disabled since), the permission check (RBAC), ownership (ABAC) and the
per-user rate limit, with one Redis round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from shared.audit import RequestOrigin
from shared.errors import Forbidden, TooManyRequests, Unauthorized
from shared.identity.roles import Permission, Role, allows, plan_for
from shared.identity.security_state import SecurityState
from shared.settings import Settings

if TYPE_CHECKING:
    from shared.identity.tokens import AccessClaims


@dataclass(frozen=True)
class Principal:
    user_id: str
    email: str
    roles: tuple[str, ...]
    permissions: tuple[str, ...]
    company_id: str | None
    jti: str
    iat: int
    exp: int
    gen: int = 0

    def can(self, permission: Permission) -> bool:
        return allows(self.permissions, permission)

    @property
    def is_platform_admin(self) -> bool:
        return Role.PLATFORM_ADMIN in self.roles

    def as_context(self) -> dict[str, str | int]:
        """The authorizer's context: flat strings, as API gateways pass them on."""
        return {
            "sub": self.user_id,
            "email": self.email,
            "roles": ",".join(self.roles),
            "permissions": ",".join(self.permissions),
            "company_id": self.company_id or "",
            "jti": self.jti,
            "iat": self.iat,
            "exp": self.exp,
            "gen": self.gen,
        }

    @classmethod
    def from_claims(cls, claims: AccessClaims) -> Principal:
        return cls(
            user_id=claims.sub,
            email=claims.email,
            roles=claims.roles,
            permissions=claims.permissions,
            company_id=claims.company_id,
            jti=claims.jti,
            iat=claims.iat,
            exp=claims.exp,
            gen=claims.gen,
        )

    @classmethod
    def from_context(cls, context: dict[str, Any]) -> Principal:
        return cls(
            user_id=str(context["sub"]),
            email=str(context.get("email", "")),
            roles=tuple(r for r in str(context.get("roles", "")).split(",") if r),
            permissions=tuple(p for p in str(context.get("permissions", "")).split(",") if p),
            company_id=str(context.get("company_id") or "") or None,
            jti=str(context["jti"]),
            iat=int(context.get("iat", 0)),
            exp=int(context["exp"]),
            gen=int(context.get("gen", 0)),
        )


def principal_from_event(event: dict[str, Any]) -> Principal:
    context = (event.get("requestContext") or {}).get("authorizer", {}) or {}
    claims = context.get("lambda")
    if not claims or "sub" not in claims or "jti" not in claims:
        raise Unauthorized("authentication required")
    return Principal.from_context(claims)


def origin_from_event(event: dict[str, Any]) -> RequestOrigin:
    request = event.get("requestContext") or {}
    http = request.get("http") or {}
    return RequestOrigin(
        source_ip=http.get("sourceIp"), user_agent=http.get("userAgent"), request_id=request.get("requestId")
    )


@cache
def security_state(redis_url: str) -> SecurityState:
    from shared.cache import redis_client

    return SecurityState(redis_client(redis_url))


def require(settings: Settings, event: dict[str, Any], permission: Permission | None = None) -> Principal:
    """The caller, checked: 401 revoked or disabled, 403 missing permission, 429 over the limit."""
    principal = principal_from_event(event)
    check = security_state(settings.redis_url).check_request(principal.user_id, principal.jti, principal.gen)
    if check.revoked:
        raise Unauthorized("this token is no longer valid; log in again")
    if check.disabled:
        raise Unauthorized("this account is disabled")
    limit = settings.rate_limits.get(plan_for(principal.roles), settings.rate_limits.get("free", 100))
    if check.count > limit:
        raise TooManyRequests(f"more than {limit} requests per minute", retry_after=check.retry_after)
    if permission is not None and not principal.can(permission):
        raise Forbidden(f"requires permission {permission.value}")
    return principal


def require_company_access(principal: Principal, company_id: str | None, owner_id: str | None = None) -> None:
    """ABAC: a platform admin acts on anything; others only on their own company or what they own."""
    if principal.is_platform_admin:
        return
    if owner_id is not None and owner_id == principal.user_id:
        return
    if company_id is not None and principal.company_id == company_id:
        return
    raise Forbidden("you can only act on your own company")
