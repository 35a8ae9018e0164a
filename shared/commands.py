"""What every command carries besides its data: who asks, and which request it belongs to.

This module depends on the identity guard (the caller is its `Principal`), never the other way round; the guard
is imported where a request is turned into a context, so a worker that only builds system contexts does not load
it (nor the settings it needs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.audit import RequestOrigin

if TYPE_CHECKING:
    from shared.identity.guard import Principal


@dataclass(frozen=True)
class Context:
    """`principal` is None when the system acts (a worker, an admin command); `actor_label` names it then."""

    principal: Principal | None = None
    correlation_id: str | None = None
    causation_id: str | None = None
    origin: RequestOrigin = field(default_factory=RequestOrigin)
    actor_label: str | None = None

    @property
    def actor(self) -> str | None:
        return self.principal.user_id if self.principal else self.actor_label


def command_context(event: dict[str, Any], principal: Principal) -> Context:
    """The caller and the request (its id is the correlation id, as the access log's) for a command."""
    from shared.identity.guard import origin_from_event

    origin = origin_from_event(event)
    return Context(principal=principal, correlation_id=origin.request_id, origin=origin)
