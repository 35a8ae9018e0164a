"""The outbox relay (shared.outbox.drain + KafkaPublisher) between a real Postgres and a real Kafka broker.

Consumers rely on: every event reaches `company.events`, keyed by aggregate id so one aggregate's
events stay on one partition in version order, and nothing is marked published unless Kafka
acknowledged it. Only one relay drains at a time.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any, cast

import psycopg
import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from shared import outbox
from shared.commands import Context
from shared.companies.service import create_in_transaction
from shared.db import connect
from shared.events import EventEnvelope
from shared.kafka import KafkaPublisher
from shared.outbox import OutboxMessage, drain

pytestmark = pytest.mark.integration

TOPIC = "company.events"
PARTITIONS = 3


@pytest.fixture(scope="module")
def topic(kafka_bootstrap: str) -> str:
    """company.events with several partitions, so that keying by aggregate id matters."""
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    futures = admin.create_topics([NewTopic(TOPIC, num_partitions=PARTITIONS, replication_factor=1)])
    try:
        futures[TOPIC].result(30)
    except KafkaException as exc:
        if "TOPIC_ALREADY_EXISTS" not in str(exc):
            raise
    assert len(admin.list_topics(TOPIC, timeout=10).topics[TOPIC].partitions) >= PARTITIONS
    return TOPIC


@pytest.fixture(autouse=True)
def empty_outbox(postgres_url: str) -> Iterator[None]:
    with _db(postgres_url) as conn:
        conn.execute("TRUNCATE outbox")
        conn.commit()
    yield


@pytest.fixture
def publisher(kafka_bootstrap: str, topic: str) -> KafkaPublisher:
    return KafkaPublisher(kafka_bootstrap)


def _create(conn: Any, name: str) -> str:
    state = create_in_transaction(conn, {"name": name, "industry": "devtools"}, None, Context())
    conn.commit()
    return state.id


def _update(conn: Any, aggregate_id: str, version: int) -> EventEnvelope[dict[str, Any]]:
    event = EventEnvelope(
        event_type="company.updated",
        aggregate_type="company",
        aggregate_id=aggregate_id,
        version=version,
        payload={"company_id": aggregate_id, "version": version},
    )
    with conn.transaction():
        outbox.append(conn, event)
    return event


def _seed(conn: Any) -> dict[str, list[int]]:
    """Three companies; updates interleaved between two of them. Returns versions per aggregate."""
    tag = uuid.uuid4().hex[:8]
    a, b, c = (_create(conn, f"Relay {tag} {n}") for n in "abc")
    expected = {a: [1], b: [1], c: [1]}
    for version in (2, 3, 4):
        for aggregate in (a, b):
            _update(conn, aggregate, version)
            expected[aggregate].append(version)
    return expected


def _pending(conn: Any) -> int:
    row = conn.execute("SELECT count(*) AS n FROM outbox WHERE published_at IS NULL").fetchone()
    conn.commit()
    return int(row["n"])


def _key(msg: Any) -> str | None:
    key = msg.key()
    return key.decode() if key is not None else None


def _db(url: str) -> Any:
    """A connection typed loosely: rows are dicts (shared.db.connect uses dict_row)."""
    return cast(Any, connect(url))


def _consume(bootstrap: str, keys: set[str], count: int) -> list[Any]:
    """Every message for `keys` on the topic, read from the beginning by a fresh consumer group."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"test-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    try:
        partitions = consumer.list_topics(TOPIC, timeout=10).topics[TOPIC].partitions
        consumer.assign([TopicPartition(TOPIC, p, OFFSET_BEGINNING) for p in partitions])
        got: list[Any] = []
        deadline = time.monotonic() + 60
        while len(got) < count and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                raise KafkaException(msg.error())
            if _key(msg) in keys:
                got.append(msg)
        # Anything extra (duplicates) would show up within a short grace period.
        extra_deadline = time.monotonic() + 1.0
        while time.monotonic() < extra_deadline:
            msg = consumer.poll(0.2)
            if msg is not None and not msg.error() and _key(msg) in keys:
                got.append(msg)
        return got
    finally:
        consumer.close()


def test_drain_publishes_keyed_in_order_and_marks_published(
    postgres_url: str, kafka_bootstrap: str, publisher: KafkaPublisher
) -> None:
    with _db(postgres_url) as writer:
        expected = _seed(writer)
    total = sum(len(v) for v in expected.values())

    with _db(postgres_url) as relay:
        assert drain(relay, publisher, batch_size=3) == total  # several batches
        assert _pending(relay) == 0
        published = relay.execute("SELECT count(*) AS n FROM outbox WHERE published_at IS NOT NULL").fetchone()
        assert published == {"n": total}
        assert drain(relay, publisher) == 0  # nothing left: nothing republished

    messages = _consume(kafka_bootstrap, set(expected), total)
    assert len(messages) == total
    by_key: dict[str, list[int]] = defaultdict(list)
    partitions: dict[str, set[int]] = defaultdict(set)
    for msg in messages:
        key = _key(msg)
        assert key is not None
        envelope = json.loads(msg.value())
        assert msg.topic() == TOPIC
        assert envelope["aggregate_id"] == key
        assert envelope["aggregate_type"] == "company"
        by_key[key].append(envelope["version"])
        partitions[key].add(msg.partition())
    assert dict(by_key) == expected  # in version order per aggregate
    assert all(len(p) == 1 for p in partitions.values())  # one aggregate, one partition


class _BrokenPublisher:
    def __init__(self) -> None:
        self.calls = 0

    def publish(self, messages: Sequence[OutboxMessage]) -> None:
        self.calls += 1
        raise ConnectionError("broker unreachable")


def test_failed_publish_leaves_everything_unpublished(postgres_url: str, publisher: KafkaPublisher) -> None:
    with _db(postgres_url) as writer:
        expected = _seed(writer)
    total = sum(len(v) for v in expected.values())

    broken = _BrokenPublisher()
    with _db(postgres_url) as failed, _db(postgres_url) as retry:
        with pytest.raises(ConnectionError, match="broker unreachable"):
            drain(failed, broken, batch_size=100)
        assert broken.calls == 1
        assert _pending(retry) == total
        # The failed relay's connection is left idle (not stuck in an aborted transaction) ...
        assert failed.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        # ... and it released the lock although its session is still open: another relay delivers all.
        assert drain(retry, publisher) == total
        assert _pending(retry) == 0


def test_second_relay_backs_off_while_the_lock_is_held(postgres_url: str, publisher: KafkaPublisher) -> None:
    with _db(postgres_url) as writer:
        expected = _seed(writer)
    total = sum(len(v) for v in expected.values())

    with _db(postgres_url) as holder, _db(postgres_url) as relay:
        # Another relay instance is draining (it holds the session-level advisory lock).
        holder.execute("SELECT pg_advisory_lock(%s)", (outbox.RELAY_LOCK_ID,))
        holder.commit()
        assert drain(relay, publisher) == 0
        assert _pending(relay) == total
        holder.execute("SELECT pg_advisory_unlock(%s)", (outbox.RELAY_LOCK_ID,))
        holder.commit()
        assert drain(relay, publisher) == total
        assert _pending(relay) == 0
        # A successful drain releases the lock too: the other session can take it at once.
        assert holder.execute("SELECT pg_try_advisory_lock(%s) AS ok", (outbox.RELAY_LOCK_ID,)).fetchone() == {
            "ok": True
        }
        holder.execute("SELECT pg_advisory_unlock(%s)", (outbox.RELAY_LOCK_ID,))
        holder.commit()
