"""A real Kafka 4 KRaft broker, assembled from Maven Central by localcloud, takes keyed messages and
gives them back in order: proves build/prepare/command/is_ready end to end (needs java 17, mvn and
the confluent-kafka package). The broker is the session's `kafka_bootstrap` (conftest.py), started
through the same launcher interface."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Consumer, KafkaException, Producer

from localcloud.paths import CACHE_DIR
from localcloud.servers import kafka

pytestmark = pytest.mark.integration


@pytest.fixture
def broker(kafka_bootstrap: str) -> str:
    return kafka_bootstrap


def test_build_is_cached_and_prepare_is_idempotent(tmp_path: Path, closed_port: int) -> None:
    build_dir = kafka.build(CACHE_DIR)
    assert kafka.build(CACHE_DIR) == build_dir  # second call is the cached no-op
    assert any((build_dir / "libs").glob("kafka_2.13-*.jar"))
    extra = {"controller": closed_port + 1 if closed_port < 65535 else closed_port - 1}
    assert set(extra) == set(kafka.EXTRA_PORTS)
    data_dir = tmp_path / "kafka"
    kafka.prepare(build_dir, data_dir, closed_port, extra)
    meta = (data_dir / "kraft-logs" / "meta.properties").read_text()
    kafka.prepare(build_dir, data_dir, closed_port, extra)  # idempotent: already formatted
    assert (data_dir / "kraft-logs" / "meta.properties").read_text() == meta  # same cluster id
    argv, _ = kafka.command(build_dir, data_dir, closed_port, extra)
    assert argv[-2:] == ["kafka.Kafka", str((data_dir / "server.properties").resolve())]


def test_is_ready_false_on_a_closed_port(closed_port: int) -> None:
    assert kafka.is_ready(closed_port) is False


def test_keyed_messages_come_back_in_order(broker: str) -> None:
    topic = f"orders-{uuid.uuid4().hex[:8]}"  # auto-created on first produce
    values = [f"event-{i}".encode() for i in range(5)]

    producer = Producer({"bootstrap.servers": broker, "enable.idempotence": True})
    delivered: list[tuple[int, int]] = []

    def on_delivery(err: object, msg: object) -> None:
        if err is not None:
            raise KafkaException(err)
        delivered.append((msg.partition(), msg.offset()))  # type: ignore[attr-defined]

    for value in values:
        producer.produce(topic, key=b"customer-42", value=value, on_delivery=on_delivery)
    assert producer.flush(60) == 0
    assert len(delivered) == len(values)
    assert len({p for p, _ in delivered}) == 1  # one key, one partition

    consumer = Consumer(
        {
            "bootstrap.servers": broker,
            "group.id": f"g-{topic}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    try:
        consumer.subscribe([topic])
        got: list[tuple[bytes | None, bytes | None]] = []
        deadline = time.monotonic() + 60
        while len(got) < len(values) and time.monotonic() < deadline:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                raise KafkaException(msg.error())
            got.append((msg.key(), msg.value()))
        consumer.commit(asynchronous=False)
    finally:
        consumer.close()

    assert got == [(b"customer-42", v) for v in values]
