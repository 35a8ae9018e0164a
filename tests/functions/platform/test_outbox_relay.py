"""OutboxRelayFunction (every minute, EventBridge; the cloud's relay): the events written since the last run reach
Kafka (here a real broker), keyed by the aggregate id, and are marked published, so the next run sends nothing
again. With the local cloud's direct event bus it is a no-op (the NOTIFY-driven relay delivers)."""

from __future__ import annotations

import json
import time
import uuid
from types import ModuleType
from typing import Any

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
from functions.calls import cold_start, company, principal
from functions.stream_calls import WARMUP, scheduled_event, update

from shared.db import connect
from support import LambdaContext


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, kafka_bootstrap: str) -> ModuleType:
    return cold_start(monkeypatch, "platform", "outbox_relay", database_url=postgres_url, redis_url=redis_url,
                      event_bus="kafka", kafka_bootstrap=kafka_bootstrap)  # fmt: skip


def pending(postgres_url: str, key: object) -> int:
    with connect(postgres_url) as conn:
        row = conn.execute(
            "SELECT count(*) AS n FROM outbox WHERE message_key = %s AND published_at IS NULL", (str(key),)
        ).fetchone()
    assert row is not None
    return int(row["n"])  # type: ignore[call-overload]


def on_kafka(bootstrap: str, topic: str, key: str, count: int) -> list[dict[str, Any]]:
    """The envelopes keyed `key` on `topic`, read from the beginning of each partition (assigned: no group join)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"test-{uuid.uuid4().hex}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})  # fmt: skip
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + 20
    try:
        while len(found) < count and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None and msg.key() == key.encode():
                found.append(json.loads(msg.value() or b"null"))
        time.sleep(0.2)  # a duplicate would be right behind
        while (msg := consumer.poll(0.3)) is not None:
            if msg.error() is None and msg.key() == key.encode():
                found.append(json.loads(msg.value() or b"null"))
    finally:
        consumer.close()
    return found


def test_pending_events_reach_kafka_in_order_once(
    fn: ModuleType, postgres_url: str, redis_url: str, kafka_bootstrap: str
) -> None:
    owner = principal("paid_user")
    created = company(postgres_url, redis_url, owner)
    update(postgres_url, redis_url, owner, created.id, employees_count=25)
    assert pending(postgres_url, created.id) == 2
    assert fn.handler(scheduled_event(), LambdaContext())["published"] >= 2
    assert pending(postgres_url, created.id) == 0
    assert fn.handler(scheduled_event(), LambdaContext()) == {"published": 0}  # nothing is sent twice
    delivered = on_kafka(kafka_bootstrap, "company.events", str(created.id), 2)
    assert [(e["event_type"], e["version"]) for e in delivered] == [("company.created", 1), ("company.updated", 2)]


def test_with_the_direct_event_bus_it_touches_no_server(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    nowhere = f"127.0.0.1:{closed_port}"
    fn = cold_start(monkeypatch, "platform", "outbox_relay",
                    database_url=f"postgresql://u:p@{nowhere}/db", redis_url=f"redis://{nowhere}/0")  # fmt: skip
    for ev in (scheduled_event(), WARMUP):
        answer = fn.handler(ev, LambdaContext())
        assert answer["published"] == 0 and "direct" in answer["skipped"]
