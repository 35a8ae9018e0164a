"""What handlers declare they need, resolved per request by powertools' `Depends`.

    caller: Annotated[Caller, Depends(requires(Permission.COMPANY_WRITE))]

checks the token's state, the rate limit and the permission before the handler runs (401/403/429 as
problem+json), and hands the handler the principal, the settings and the command context in one
object. The other dependencies are the request's own facts (origin, If-Match); the caches' are in
caches.py (they import the company model, which identity functions do not need).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.event_handler import Depends, Request

from shared.audit import RequestOrigin
from shared.http.preconditions import expected_version
from shared.identity.guard import Principal, origin_from_event, require
from shared.identity.roles import Permission
from shared.settings import Settings, get_settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from shared.commands import Context


def _event(request: Request) -> dict[str, Any]:
    event: dict[str, Any] = request.resolved_event.raw_event
    return event


@dataclass(frozen=True)
class Caller:
    """The authenticated caller of this request, with what a command needs to name them."""

    principal: Principal
    settings: Settings
    event: dict[str, Any]

    @cached_property
    def context(self) -> Context:
        """The command context: the caller and the request id as correlation id (the access log's)."""
        from shared.commands import Context

        origin = origin_from_event(self.event)
        return Context(principal=self.principal, correlation_id=origin.request_id, origin=origin)

    @property
    def origin(self) -> RequestOrigin:
        return origin_from_event(self.event)


@cache
def requires(permission: Permission | None = None) -> Callable[[Request], Caller]:
    """The dependency that admits a caller holding `permission` (None: any signed-in caller).
    Cached per permission, so each is one callable and `Depends` resolves it once per request."""

    def caller(request: Request) -> Caller:
        event = _event(request)
        settings = get_settings()
        return Caller(require(settings, event, permission), settings, event)

    caller.__name__ = f"requires_{permission.value.replace(':', '_') if permission else 'login'}"
    return caller


def origin(request: Request) -> RequestOrigin:
    """Where an anonymous request came from (audit, login throttling)."""
    return origin_from_event(_event(request))


def if_match(request: Request) -> int | None:
    """The version an `If-Match` header expects (None: absent or `*`); 400 when malformed."""
    return expected_version(dict(request.headers))


SettingsDep = Annotated[Settings, Depends(get_settings)]
OriginDep = Annotated[RequestOrigin, Depends(origin)]
IfMatch = Annotated[int | None, Depends(if_match)]


# The callers the routes admit, by permission (one declaration each, so a handler's signature names who
# may call it in one word).
SignedIn = Annotated[Caller, Depends(requires())]
CompanyReader = Annotated[Caller, Depends(requires(Permission.COMPANY_READ))]
CompanyWriter = Annotated[Caller, Depends(requires(Permission.COMPANY_WRITE))]
PartnershipReader = Annotated[Caller, Depends(requires(Permission.PARTNERSHIP_READ))]
PartnershipWriter = Annotated[Caller, Depends(requires(Permission.PARTNERSHIP_WRITE))]
UserManager = Annotated[Caller, Depends(requires(Permission.USER_MANAGE))]
