"""The embedded profile's stand-in for Kafka consumer groups: each event source mapping reads the outbox
on a cursor of its own, as each Kafka consumer group reads a topic at its own offset.

Why not one drain for all: a drain that hands a batch to every subscribed function and waits for them all
lets the slowest consumer (an LLM call, a cold worker, a poison batch's retries) hold back every other;
on a busy machine a company written behind a classification waited seconds to become searchable. Here a
source's thread delivers its own topics in outbox order and records what it delivered in
`local_relay_deliveries`; a message is marked published once every source subscribed to its topic has
taken it (delivered, or sent to its on-failure destination). Nothing is lost when the relay dies: what a
source has not recorded is delivered again (at least once, as Kafka after a crash before a commit).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol

from localcloud import template as tpl
from localcloud.triggers import Record
from shared.db import connect
from shared.outbox import OutboxMessage

log = logging.getLogger("relay")

# The emulator's own bookkeeping (Kafka keeps offsets in __consumer_offsets); not part of the platform schema.
_DDL = """
CREATE TABLE IF NOT EXISTS local_relay_deliveries (
    outbox_id BIGINT NOT NULL,
    consumer_group VARCHAR(200) NOT NULL,
    delivered_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (outbox_id, consumer_group)
)
"""
_PENDING = """
SELECT id, topic, message_key, envelope FROM outbox o
WHERE published_at IS NULL AND topic = ANY(%s)
  AND NOT EXISTS (SELECT 1 FROM local_relay_deliveries d WHERE d.outbox_id = o.id AND d.consumer_group = %s)
ORDER BY id LIMIT %s
"""
_SETTLE = """
WITH subscribers(topic, groups) AS (SELECT * FROM unnest(%s::text[], %s::int[])),
settled AS (
    UPDATE outbox o SET published_at = NOW()
    WHERE published_at IS NULL
      AND (SELECT count(*) FROM local_relay_deliveries d WHERE d.outbox_id = o.id)
          >= coalesce((SELECT groups FROM subscribers s WHERE s.topic = o.topic), 0)
    RETURNING id
),
cleared AS (DELETE FROM local_relay_deliveries WHERE outbox_id IN (SELECT id FROM settled))
SELECT count(*) AS settled FROM settled
"""


class Deliverer(Protocol):
    """`localcloud.triggers.Dispatcher`: True when the function took the batch, False when it was dead-lettered;
    raises when neither happened (the batch is then delivered again)."""

    def deliver(self, source: tpl.KafkaSource, records: Sequence[Record]) -> bool: ...


class ConsumerGroups:
    """One delivery thread per source, woken by `wake()` (the relay's NOTIFY) or every `idle_seconds`."""

    def __init__(
        self, database_url: str, dispatcher: Deliverer, sources: Sequence[tpl.KafkaSource], idle_seconds: float = 1.0
    ) -> None:
        self._url = database_url
        self._dispatcher = dispatcher
        self._sources = list(sources)
        self._idle = idle_seconds
        self._wakes = [threading.Event() for _ in self._sources]
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        counts = Counter(topic for source in self._sources for topic in source.topics)
        self._topics, self._groups = list(counts), list(counts.values())
        with connect(database_url) as conn:
            conn.execute(_DDL)
            conn.commit()

    def start(self) -> None:
        for source, wake in zip(self._sources, self._wakes, strict=True):
            thread = threading.Thread(target=self._run, args=(source, wake), name=f"group-{source.group}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def wake(self) -> None:
        for wake in self._wakes:
            wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout=130)  # an invocation in flight finishes (the dispatcher's read timeout is 120 s)

    def settle(self, conn: Any) -> int:
        """Mark published what every subscribed source has taken; returns how many."""
        row = conn.execute(_SETTLE, (self._topics, self._groups)).fetchone()
        conn.commit()
        return int(row["settled"])  # shared.db.connect's rows are dicts

    def deliver_pending(self, conn: Any, source: tpl.KafkaSource) -> None:
        """Deliver what `source` has not taken yet, batch by batch in outbox order."""
        while rows := conn.execute(_PENDING, (list(source.topics), source.group, source.batch_size)).fetchall():
            conn.commit()
            messages = [OutboxMessage.from_row(r) for r in rows]
            now = int(time.time() * 1000)
            records = [Record(m.topic, 0, m.id, m.key.encode(), m.value, now) for m in messages]
            self._dispatcher.deliver(source, records)  # dead-lettered counts as taken, as on AWS
            conn.execute(
                "INSERT INTO local_relay_deliveries (outbox_id, consumer_group)"
                " SELECT unnest(%s::bigint[]), %s ON CONFLICT DO NOTHING",
                ([m.id for m in messages], source.group),
            )
            conn.commit()
            if self._stopping.is_set():
                break
        conn.commit()  # the last, empty SELECT's transaction

    def _run(self, source: tpl.KafkaSource, wake: threading.Event) -> None:
        conn = None
        while not self._stopping.is_set():
            wake.clear()
            try:
                conn = conn or connect(self._url)
                self.deliver_pending(conn, source)
            except Exception:
                log.exception("%s: delivery failed; again in %.1f s", source.group, self._idle)
                if conn is not None:
                    conn.close()
                conn = None
            wake.wait(self._idle)
        if conn is not None:
            conn.close()
