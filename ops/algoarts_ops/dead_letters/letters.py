"""One dead letter read from its SQS message: why it failed, what it holds, and how it can be sent back.

A Kafka on-failure record yields the batch's events (each record read as an event envelope where it
can be) and an `Invoke` of its function with the same event; a parked queue message yields the original
request and a `Send` back to its source queue. Whatever cannot be redriven says why (`not_redrivable`).
Pure: no SQS, no Lambda.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from algoarts_ops.dead_letters.queues import KAFKA, QUEUE, DeadLetterQueue


@dataclass(frozen=True)
class EventRef:
    """One record of a dead-lettered batch, as far as it can be read."""

    position: str  # topic-partition@offset
    event_id: str | None = None
    event_type: str | None = None
    aggregate_id: str | None = None
    version: int | None = None
    error: str | None = None  # why the record's value could not be read


@dataclass(frozen=True)
class Invoke:
    """Redrive a Kafka batch: the function, given the same event again."""

    function: str  # logical id
    event: dict[str, Any]
    function_arn: str | None = None  # as the on-failure record names it


@dataclass(frozen=True)
class Send:
    """Redrive a parked queue message: its original body, back to the source queue."""

    queue: str  # logical id
    body: str


Action = Invoke | Send


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    receipt_handle: str | None
    reason: str
    events: tuple[EventRef, ...] = ()
    request: dict[str, Any] | None = None  # a parked queue message's body, when it is JSON
    sent_at: str | None = None
    action: Action | None = None
    not_redrivable: str | None = None  # why there is no action
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "message_id": self.message_id,
            "reason": self.reason,
            "sent_at": self.sent_at,
            "events": [{k: v for k, v in asdict(e).items() if v is not None} for e in self.events],
            "redrivable": self.action is not None,
        }
        if self.request is not None:
            item["request"] = self.request
        if self.not_redrivable:
            item["not_redrivable"] = self.not_redrivable
        item.update(self.details)
        return item


def json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _sent_at(message: Mapping[str, Any]) -> str | None:
    raw = message.get("Attributes", {}).get("SentTimestamp")
    if not raw:
        return None
    return datetime.fromtimestamp(int(raw) / 1000, UTC).isoformat(timespec="seconds")


def parse_message(queue: DeadLetterQueue, message: Mapping[str, Any]) -> DeadLetter:
    """A received SQS message of `queue` read as a dead letter: reason, contents, and how to redrive it."""
    base: dict[str, Any] = {
        "message_id": str(message.get("MessageId", "")),
        "receipt_handle": message.get("ReceiptHandle"),
        "sent_at": _sent_at(message),
    }
    body = str(message.get("Body", ""))
    if queue.kind == KAFKA:
        return _kafka_letter(queue, body, base)
    if queue.kind == QUEUE:
        return _queue_letter(queue, body, base)
    data = json_object(body)
    reason = str(data.get("reason", "")) if data else ""
    return DeadLetter(
        **base,
        reason=reason or "unknown",
        not_redrivable=f"{queue.logical_id} is not a dead-letter queue of the template",
    )


def _kafka_letter(queue: DeadLetterQueue, body: str, base: dict[str, Any]) -> DeadLetter:
    record = json_object(body)
    if record is None:
        return DeadLetter(**base, reason="unreadable on-failure record", not_redrivable="the message is not JSON")
    response = record.get("responseContext") or {}
    request = record.get("requestContext") or {}
    reason = str(response.get("reason") or request.get("condition") or "unknown")
    batch = record.get("KafkaBatchInfo") or {}
    details = {
        k: v
        for k, v in {
            "attempts": request.get("approximateInvokeCount"),
            "condition": request.get("condition"),
            "partitions": batch.get("partitions"),
            "offsets": [batch["firstOffset"], batch["lastOffset"]] if "firstOffset" in batch else None,
        }.items()
        if v is not None
    }
    payload = record.get("payload")
    if not isinstance(payload, dict) or not isinstance(payload.get("records"), dict):
        where = ""
        if "firstOffset" in batch:
            where = (
                f" (offsets {batch['firstOffset']}-{batch['lastOffset']} of {', '.join(batch.get('partitions', []))})"
            )
        return DeadLetter(
            **base,
            reason=reason,
            details=details,
            not_redrivable=f"the record holds only the batch's metadata{where}: replay those offsets from Kafka",
        )
    events = tuple(kafka_event_refs(payload))
    if not events:
        return DeadLetter(**base, reason=reason, details=details, not_redrivable="the batch has no records")
    if queue.source is None:
        return DeadLetter(
            **base, reason=reason, events=events, details=details, not_redrivable="no function for this queue"
        )
    arn = request.get("functionArn")
    return DeadLetter(
        **base,
        reason=reason,
        events=events,
        details=details,
        action=Invoke(queue.source, payload, str(arn) if arn else None),
    )


def kafka_event_refs(event: Mapping[str, Any]) -> list[EventRef]:
    """The records of an MSK-shaped event, each read as an event envelope where possible."""
    refs = []
    for batch in event.get("records", {}).values():
        for record in batch:
            position = f"{record.get('topic', '?')}-{record.get('partition', '?')}@{record.get('offset', '?')}"
            try:
                envelope = json.loads(base64.b64decode(record.get("value") or "", validate=True))
            except (binascii.Error, ValueError) as exc:
                refs.append(EventRef(position, error=f"unreadable value: {type(exc).__name__}"))
                continue
            if not isinstance(envelope, dict):
                refs.append(EventRef(position, error="the value is not a JSON object"))
                continue
            version = envelope.get("version")
            refs.append(
                EventRef(
                    position,
                    event_id=_text(envelope.get("event_id")),
                    event_type=_text(envelope.get("event_type")),
                    aggregate_id=_text(envelope.get("aggregate_id")),
                    version=version if isinstance(version, int) else None,
                )
            )
    return refs


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _queue_letter(queue: DeadLetterQueue, body: str, base: dict[str, Any]) -> DeadLetter:
    parked = json_object(body)
    if parked is not None and "reason" in parked and "body" in parked:
        original = parked["body"]
        inner = original if isinstance(original, str) else json.dumps(original, ensure_ascii=False)
        reason = str(parked["reason"])
        details = {"original_message_id": parked["message_id"]} if parked.get("message_id") else {}
    else:  # moved unchanged by the source queue's redrive policy
        inner = body
        limit = f" after {queue.max_receive_count} receives" if queue.max_receive_count else ""
        reason = f"moved here by {queue.source or 'the source queue'}'s redrive policy{limit}"
        details = {}
    request = json_object(inner)
    if queue.source is None:
        return DeadLetter(
            **base, reason=reason, request=request, details=details, not_redrivable="no source queue for this queue"
        )
    return DeadLetter(**base, reason=reason, request=request, details=details, action=Send(queue.source, inner))
