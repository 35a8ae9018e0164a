"""Invoking stream-triggered functions the way an MSK/self-managed Kafka event source mapping does.

Used by both the Kafka bridge (full profile) and the direct relay (embedded profile): the same
event shape, retries, and the on-failure destination with the reason, so the function code cannot
tell the profiles apart.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from localcloud.template import KafkaSource


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    timestamp_ms: int


def kafka_event(records: Sequence[Record], bootstrap: str) -> dict[str, Any]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        grouped.setdefault(f"{r.topic}-{r.partition}", []).append(
            {
                "topic": r.topic,
                "partition": r.partition,
                "offset": r.offset,
                "timestamp": r.timestamp_ms,
                "timestampType": "CREATE_TIME",
                "key": base64.b64encode(r.key).decode() if r.key is not None else None,
                "value": base64.b64encode(r.value).decode(),
                "headers": [],
            }
        )
    return {"eventSource": "SelfManagedKafka", "bootstrapServers": bootstrap, "records": grouped}


class Dispatcher:
    """Delivers a batch to one function: retry with backoff, then the on-failure queue."""

    def __init__(
        self,
        session: Any,
        functions: dict[str, str],
        queues: dict[str, str],
        bootstrap: str,
        *,
        retries: int = 2,
        backoff_seconds: float = 0.2,
    ) -> None:
        from botocore.config import Config

        self._lambda = session.client("lambda", config=Config(read_timeout=120, retries={"max_attempts": 0}))
        self._sqs = session.client("sqs")
        self._functions = functions
        self._queues = queues
        self._bootstrap = bootstrap
        self.retries = retries
        self._backoff = backoff_seconds

    def deliver(self, source: KafkaSource, records: Sequence[Record]) -> bool:
        """True when the function took the batch; False when it went to the on-failure destination."""
        event = kafka_event(records, self._bootstrap)
        reason = ""
        for attempt in range(self.retries + 1):
            reason = self._invoke(source.function, event)
            if not reason:
                return True
            time.sleep(self._backoff * (2**attempt))
        self._dead_letter(source, event, reason, self.retries + 1)
        return False

    def _invoke(self, function: str, event: dict[str, Any]) -> str:
        """Empty string on success, else the reason for the failure."""
        try:
            response = self._lambda.invoke(FunctionName=self._functions[function], Payload=json.dumps(event).encode())
        except Exception as exc:
            return f"invoke failed: {type(exc).__name__}: {exc}"
        if response.get("FunctionError"):
            payload: str = response["Payload"].read().decode(errors="replace")
            try:
                body = json.loads(payload)
                return f"{body.get('errorType', 'Error')}: {body.get('errorMessage', payload)}"
            except ValueError:
                return payload[:2000]
        return ""

    def _dead_letter(self, source: KafkaSource, event: dict[str, Any], reason: str, attempts: int) -> None:
        if source.on_failure is None:
            raise RuntimeError(f"{source.function} failed ({reason}) and has no on-failure destination")
        batches = event["records"]
        first = min(r["offset"] for rs in batches.values() for r in rs)
        last = max(r["offset"] for rs in batches.values() for r in rs)
        record = {
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "requestContext": {
                "functionArn": self._functions[source.function],
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": {"functionError": "Unhandled", "reason": reason},
            "KafkaBatchInfo": {
                "batchSize": sum(len(rs) for rs in batches.values()),
                "bootstrapServers": self._bootstrap,
                "consumerGroupId": source.group,
                "partitions": sorted(batches),
                "firstOffset": first,
                "lastOffset": last,
            },
            # AWS sends only metadata here; we add the records so a redrive needs nothing else.
            "payload": event,
        }
        self._sqs.send_message(QueueUrl=self._queues[source.on_failure], MessageBody=json.dumps(record))
