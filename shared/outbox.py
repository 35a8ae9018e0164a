"""Transactional outbox: append inside the writer's transaction; the relay drains it in order.

The relay holds an advisory lock so exactly one drains at a time (per-aggregate order survives),
publishes a batch, then marks it published. A crash between the two republishes the batch on the
next run: delivery is at least once and consumers are idempotent (they compare versions).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from shared.events import EventEnvelope

if TYPE_CHECKING:
    import psycopg

RELAY_LOCK_ID = 0x52_45_4C_59  # "RELY"


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    topic: str
    key: str
    envelope: dict[str, Any]

    @classmethod
    def from_row(cls, row: Any) -> OutboxMessage:
        """A row of `SELECT id, topic, message_key, envelope FROM outbox` (dict or tuple rows)."""
        r = row if isinstance(row, dict) else dict(zip(("id", "topic", "message_key", "envelope"), row, strict=True))
        return cls(id=r["id"], topic=r["topic"], key=r["message_key"], envelope=r["envelope"])

    @property
    def value(self) -> bytes:
        return json.dumps(self.envelope, ensure_ascii=False, separators=(",", ":")).encode()


class Publisher(Protocol):
    """Where the relay sends messages: Kafka, or straight to the subscribed functions."""

    def publish(self, messages: Sequence[OutboxMessage]) -> None:
        """Deliver all messages in order or raise; nothing is marked published on a raise."""


def append(conn: psycopg.Connection, event: EventEnvelope[Any]) -> None:
    """Add an event to the outbox; the caller's transaction makes it atomic with the write.

    The topic is the event type's in the registry (`shared.events.EVENTS`: commands and integration
    messages go to the shared `notification.events` and `crm.integration.events`), else the aggregate's."""
    conn.execute(
        "INSERT INTO outbox (event_id, topic, message_key, envelope) VALUES (%s, %s, %s, %s)",
        (event.event_id, event.topic, event.aggregate_id, event.model_dump_json()),
    )


def drain(conn: psycopg.Connection, publisher: Publisher, batch_size: int = 500) -> int:
    """Publish pending messages until none are left; returns how many were published.

    Returns 0 at once when another relay holds the lock.
    """
    row = conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (RELAY_LOCK_ID,)).fetchone()
    conn.commit()
    if not row or not _first(row):
        return 0
    total = 0
    try:
        while True:
            rows = conn.execute(
                "SELECT id, topic, message_key, envelope FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT %s",
                (batch_size,),
            ).fetchall()
            if not rows:
                conn.commit()
                return total
            messages = [OutboxMessage.from_row(r) for r in rows]
            publisher.publish(messages)
            conn.execute("UPDATE outbox SET published_at = NOW() WHERE id = ANY(%s)", ([m.id for m in messages],))
            conn.commit()
            total += len(messages)
    finally:
        conn.rollback()
        conn.execute("SELECT pg_advisory_unlock(%s)", (RELAY_LOCK_ID,))
        conn.commit()


def _first(row: Any) -> Any:
    return next(iter(row.values())) if isinstance(row, dict) else row[0]
