"""The event envelope every domain event travels in (seed: "Event Types").

The seed's fields (event_type, aggregate_id, timestamp, payload) plus what a consumer needs to be
idempotent and traceable: a unique event_id, the aggregate version, and correlation/causation ids.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

# Seed: "Kafka Topics Structure"; one topic per aggregate type, keyed by aggregate id.
TOPIC_BY_AGGREGATE = {
    "company": "company.events",
    "partnership": "partnership.events",
    "user": "user.events",
}


class EventEnvelope(BaseModel):
    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    event_type: str = Field(pattern=r"^[a-z_]+(\.[a-z_]+)+$")
    aggregate_type: str
    aggregate_id: str
    version: int = Field(ge=1)
    timestamp: datetime = Field(default_factory=lambda: datetime.now(UTC))
    correlation_id: str | None = None
    causation_id: str | None = None
    actor: str | None = None
    payload: dict[str, Any]

    @property
    def topic(self) -> str:
        return TOPIC_BY_AGGREGATE[self.aggregate_type]
