"""The embedded relay's consumer groups on a real Postgres: each source on its own cursor, so a slow or failing
consumer holds back only itself, and a message is published once every subscriber has taken it."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest

from localcloud.consumer_groups import ConsumerGroups
from localcloud.template import KafkaSource
from localcloud.triggers import Record
from shared import outbox
from shared.db import connect
from shared.events import EventEnvelope
from slice_checks import wait_for

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


def _until(predicate: Any) -> None:
    wait_for(predicate, timeout=10.0, interval=0.02)


@contextmanager
def _running(postgres_url: str, functions: Functions, sources: Sequence[KafkaSource]) -> Iterator[ConsumerGroups]:
    """The groups started over the outbox as it is now, and stopped (in-flight calls finished) at the end."""
    groups = ConsumerGroups(postgres_url, functions, sources, idle_seconds=0.1)
    groups.start()
    try:
        yield groups
    finally:
        groups.stop()


def test_a_slow_consumer_holds_back_only_itself(postgres_url: str, conn: Any) -> None:
    functions = Functions()
    functions.hold["classify"] = threading.Event()
    ids = _append(conn, n=3)
    with _running(postgres_url, functions, [FAST, SLOW]) as groups:
        _until(lambda: functions.offsets("project") == ids)
        assert functions.batches["project"] == [ids[:2], ids[2:]]  # its own batch size, in outbox order
        assert groups.settle(conn) == 0 and _published(conn) == set()  # classify has not taken them yet
        functions.hold["classify"].set()
        _until(lambda: functions.offsets("classify") == ids)
        _until(lambda: groups.settle(conn) > 0 or _published(conn) == set(ids))
        assert _published(conn) == set(ids)
        assert conn.execute("SELECT count(*) AS n FROM local_relay_deliveries").fetchone()["n"] == 0


def test_a_failed_delivery_is_delivered_again_and_nothing_is_lost(postgres_url: str, conn: Any) -> None:
    functions = Functions()
    functions.failures["project"] = 2
    ids = _append(conn, n=2)
    with _running(postgres_url, functions, [FAST]) as groups:
        _until(lambda: functions.offsets("project") == ids)
        assert groups.settle(conn) == 2 and _published(conn) == set(ids)


def test_a_restarted_relay_delivers_only_what_a_group_had_not_taken(postgres_url: str, conn: Any) -> None:
    first = Functions()
    first.hold["classify"] = threading.Event()
    ids = _append(conn, n=2)
    with _running(postgres_url, first, [FAST, SLOW]):
        _until(lambda: first.offsets("project") == ids)
        first.hold["classify"].set()  # let the held call finish so stop() returns, then forget what it delivered
    conn.execute("DELETE FROM local_relay_deliveries WHERE consumer_group = 'classify'")
    conn.commit()
    second = Functions()
    with _running(postgres_url, second, [FAST, SLOW]) as again:
        _until(lambda: second.offsets("classify") == ids)
        assert second.offsets("project") == []  # project had recorded both
        _until(lambda: again.settle(conn) > 0 or _published(conn) == set(ids))
        assert _published(conn) == set(ids)


def test_a_topic_nobody_reads_is_published_at_once(postgres_url: str, conn: Any) -> None:
    groups = ConsumerGroups(postgres_url, Functions(), [FAST], idle_seconds=0.1)
    event: EventEnvelope[dict[str, Any]] = EventEnvelope(
        event_type="user.registered", aggregate_type="user", aggregate_id="u1", version=1, payload={}
    )
    with conn.transaction():
        outbox.append(conn, event)
    conn.commit()
    assert groups.settle(conn) == 1
