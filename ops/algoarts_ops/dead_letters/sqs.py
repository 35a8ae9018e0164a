"""Reading a dead-letter queue without emptying it: counts, receiving every message, releasing them.

A message received here stays invisible for a hold time so that the next receive returns others; the
caller then releases it (visible again at once) or deletes it after a successful redrive. `peek` is the
listing: counts and up to `limit` messages, all of them left in the queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from algoarts_ops.dead_letters.letters import DeadLetter, parse_message
from algoarts_ops.dead_letters.queues import DeadLetterQueue

PEEK_HOLD_SECONDS = 30  # how long a listed message stays invisible at most (it is released at once)
MAX_RECEIVE = 10  # SQS's limit per ReceiveMessage


def queue_counts(sqs: Any, url: str) -> dict[str, int]:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return {
        "visible": int(attributes.get("ApproximateNumberOfMessages", 0)),
        "in_flight": int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
    }


def receive(sqs: Any, url: str, *, limit: int | None, hold_seconds: int) -> list[dict[str, Any]]:
    """Up to `limit` messages (None: all), each kept invisible for `hold_seconds` so that the next receive
    returns others; the caller releases (or deletes) them."""
    received: dict[str, dict[str, Any]] = {}
    while limit is None or len(received) < limit:
        want = MAX_RECEIVE if limit is None else min(MAX_RECEIVE, limit - len(received))
        reply = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=want,
            VisibilityTimeout=hold_seconds,
            WaitTimeSeconds=1,
            AttributeNames=["All"],
        )
        messages = reply.get("Messages", [])
        if not messages:
            break
        for message in messages:
            received.setdefault(message["MessageId"], message)
    return list(received.values())


def release(sqs: Any, url: str, messages: Iterable[Mapping[str, Any]]) -> None:
    """Make received messages visible again at once (they stay in the queue)."""
    pending = [m for m in messages if m.get("ReceiptHandle")]
    for start in range(0, len(pending), MAX_RECEIVE):
        chunk = pending[start : start + MAX_RECEIVE]
        sqs.change_message_visibility_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0} for i, m in enumerate(chunk)
            ],
        )


def sent_timestamp(message: Mapping[str, Any]) -> int:
    return int(message.get("Attributes", {}).get("SentTimestamp", 0))


def peek(sqs: Any, queue: DeadLetterQueue, limit: int) -> tuple[dict[str, int], list[DeadLetter]]:
    """The queue's counts and up to `limit` of its messages, left in the queue."""
    counts = queue_counts(sqs, queue.url)
    wanted = limit > 0 and counts["visible"] > 0
    messages = receive(sqs, queue.url, limit=limit, hold_seconds=PEEK_HOLD_SECONDS) if wanted else []
    messages.sort(key=sent_timestamp)
    try:
        return counts, [parse_message(queue, m) for m in messages]
    finally:
        release(sqs, queue.url, messages)
