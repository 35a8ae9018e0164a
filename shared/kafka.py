"""Kafka producer for the outbox relay: idempotent, acks=all, keyed by aggregate id.

Idempotence plus one in-flight ordering guarantee keeps per-aggregate order even when the
producer retries; `publish` raises unless every message was acknowledged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.outbox import OutboxMessage


class KafkaPublishError(RuntimeError):
    pass


class KafkaPublisher:
    def __init__(self, bootstrap: str, **config: Any) -> None:
        from confluent_kafka import Producer

        self._producer = Producer(
            {
                "bootstrap.servers": bootstrap,
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 5,
                "compression.type": "lz4",
                **config,
            }
        )

    def publish(self, messages: Sequence[OutboxMessage]) -> None:
        errors: list[str] = []

        def on_delivery(err: Any, msg: Any) -> None:
            if err is not None:
                errors.append(f"{msg.topic()}: {err}")

        for m in messages:
            self._producer.produce(m.topic, key=m.key.encode(), value=m.value, on_delivery=on_delivery)
            self._producer.poll(0)
        remaining = self._producer.flush(30)
        if remaining or errors:
            raise KafkaPublishError(f"{remaining} unacknowledged, errors: {errors[:5]}")
