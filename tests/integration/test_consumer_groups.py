"""The embedded relay's consumer groups on a real Postgres: each source on its own cursor, so a slow or failing
consumer holds back only itself, and a message is published once every subscriber has taken it."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from localcloud.consumer_groups import ConsumerGroups
from localcloud.template import KafkaSource
from localcloud.triggers import Record
from shared import outbox
from shared.db import connect
from shared.events import EventEnvelope

pytestmark = pytest.mark.integration

FAST = KafkaSource("ProjectFunction", ("company.events",), "project", 2, "TRIM_HORIZON", "ProjectDeadLetters")
SLOW = KafkaSource("ClassifyFunction", ("company.events",), "classify", 5, "TRIM_HORIZON", "ClassifyDeadLetters")


class Functions:
    """What the Lambda dispatcher would invoke: records each batch; `hold` makes a group wait, `failures` raise."""

    def __init__(self) -> None:
        self.batches: dict[str, list[list[int]]] = {}
        self.hold: dict[str, threading.Event] = {}
        self.failures: dict[str, int] = {}
        self._lock = threading.Lock()

    def deliver(self, source: KafkaSource, records: Sequence[Record]) -> bool:
        if (gate := self.hold.get(source.group)) is not None:
            gate.wait(30)
        with self._lock:
            if self.failures.get(source.group, 0) > 0:
                self.failures[source.group] -= 1
                raise RuntimeError("the on-failure queue could not be reached")
            self.batches.setdefault(source.group, []).append([r.offset for r in records])
        return True

    def offsets(self, group: str) -> list[int]:
        with self._lock:
            return [o for batch in self.batches.get(group, []) for o in batch]


@pytest.fixture
def conn(postgres_url: str) -> Iterator[Any]:
    with connect(postgres_url) as c:
        c.execute("TRUNCATE outbox")
        c.execute("DROP TABLE IF EXISTS local_relay_deliveries")
        c.commit()
        yield c


def _append(conn: Any, topic_event: str = "company.updated", n: int = 1) -> list[int]:
    ids = []
    for _ in range(n):
        event: EventEnvelope[dict[str, Any]] = EventEnvelope(
            event_type=topic_event, aggregate_type="company", aggregate_id=str(uuid.uuid4()), version=1, payload={}
        )
        with conn.transaction():
            outbox.append(conn, event)
        ids.append(conn.execute("SELECT max(id) AS id FROM outbox").fetchone()["id"])
    conn.commit()
    return ids


def _published(conn: Any) -> set[int]:
    rows = conn.execute("SELECT id FROM outbox WHERE published_at IS NOT NULL").fetchall()
    conn.commit()
    return {r["id"] for r in rows}


def _until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "not true in time"
        time.sleep(0.02)


def test_a_slow_consumer_holds_back_only_itself(postgres_url: str, conn: Any) -> None:
    functions = Functions()
    functions.hold["classify"] = threading.Event()
    groups = ConsumerGroups(postgres_url, functions, [FAST, SLOW], idle_seconds=0.1)
    ids = _append(conn, n=3)
    groups.start()
    try:
        _until(lambda: functions.offsets("project") == ids)
        assert functions.batches["project"] == [ids[:2], ids[2:]]  # its own batch size, in outbox order
        assert groups.settle(conn) == 0 and _published(conn) == set()  # classify has not taken them yet
        functions.hold["classify"].set()
        _until(lambda: functions.offsets("classify") == ids)
        _until(lambda: groups.settle(conn) > 0 or _published(conn) == set(ids))
        assert _published(conn) == set(ids)
        assert conn.execute("SELECT count(*) AS n FROM local_relay_deliveries").fetchone()["n"] == 0
    finally:
        groups.stop()


def test_a_failed_delivery_is_delivered_again_and_nothing_is_lost(postgres_url: str, conn: Any) -> None:
    functions = Functions()
    functions.failures["project"] = 2
    groups = ConsumerGroups(postgres_url, functions, [FAST], idle_seconds=0.1)
    ids = _append(conn, n=2)
    groups.start()
    try:
        _until(lambda: functions.offsets("project") == ids)
        assert groups.settle(conn) == 2 and _published(conn) == set(ids)
    finally:
        groups.stop()


def test_a_restarted_relay_delivers_only_what_a_group_had_not_taken(postgres_url: str, conn: Any) -> None:
    first = Functions()
    first.hold["classify"] = threading.Event()
    groups = ConsumerGroups(postgres_url, first, [FAST, SLOW], idle_seconds=0.1)
    ids = _append(conn, n=2)
    groups.start()
    _until(lambda: first.offsets("project") == ids)
    first.hold["classify"].set()  # let the held call finish so stop() returns, then forget what it delivered
    groups.stop()
    conn.execute("DELETE FROM local_relay_deliveries WHERE consumer_group = 'classify'")
    conn.commit()
    second = Functions()
    again = ConsumerGroups(postgres_url, second, [FAST, SLOW], idle_seconds=0.1)
    again.start()
    try:
        _until(lambda: second.offsets("classify") == ids)
        assert second.offsets("project") == []  # project had recorded both
        _until(lambda: again.settle(conn) > 0 or _published(conn) == set(ids))
        assert _published(conn) == set(ids)
    finally:
        again.stop()


def test_a_topic_nobody_reads_is_published_at_once(postgres_url: str, conn: Any) -> None:
    groups = ConsumerGroups(postgres_url, Functions(), [FAST], idle_seconds=0.1)
    event: EventEnvelope[dict[str, Any]] = EventEnvelope(
        event_type="user.registered", aggregate_type="user", aggregate_id="u1", version=1, payload={}
    )
    with conn.transaction():
        outbox.append(conn, event)
    conn.commit()
    assert groups.settle(conn) == 1
