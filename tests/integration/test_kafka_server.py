"""A real Kafka 4 KRaft broker, assembled from Maven Central by localcloud, takes keyed messages and
gives them back in order: proves build/prepare/command/is_ready end to end (needs java 17, mvn and
the confluent-kafka package)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka import Consumer, KafkaException, Producer
from localcloud.servers import kafka

pytestmark = pytest.mark.integration

READY_TIMEOUT_S = 90.0


def _cache_dir() -> Path:
    return Path(os.environ.get("ALGOARTS_CACHE") or Path(__file__).resolve().parents[2] / ".cache")


def _free_ports(count: int) -> list[int]:
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM by PID (Kafka shuts down cleanly), SIGKILL if it hangs."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    build_dir = kafka.build(_cache_dir())
    assert kafka.build(_cache_dir()) == build_dir  # second call is the cached no-op
    data_dir = tmp_path_factory.mktemp("kafka-data")
    port, controller = _free_ports(2)
    extra = {"controller": controller}
    assert set(extra) == set(kafka.EXTRA_PORTS)
    kafka.prepare(build_dir, data_dir, port, extra)
    kafka.prepare(build_dir, data_dir, port, extra)  # idempotent: already formatted
    argv, env = kafka.command(build_dir, data_dir, port, extra)
    log_path = data_dir / "stdout.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(argv, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not kafka.is_ready(port):
            if proc.poll() is not None:
                pytest.fail(f"kafka exited with {proc.returncode}:\n{log_path.read_text()[-4000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"kafka not ready in {READY_TIMEOUT_S}s:\n{log_path.read_text()[-4000:]}")
            time.sleep(0.25)
        yield f"127.0.0.1:{port}"
    finally:
        _stop(proc)


def test_is_ready_false_on_a_closed_port() -> None:
    (port,) = _free_ports(1)
    assert kafka.is_ready(port) is False


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
