"""What every command carries besides its data: who asks, and which request it belongs to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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
