"""What every channel's sender function does with one SQS message: read it, deliver it (deliver.py), and on a
retryable failure keep it off the queue for a growing while before SQS hands it out again.

The message is `{"delivery_id", "dedup_key", "channel"}` (dispatch.enqueue). A message that cannot be read
raises at once (SQS retries it and then dead-letters it with the body: a producer's mistake to look at). A
RetryableDelivery sets the message's visibility to the backoff (10 s, 20 s, 40 s ... by default, capped at 15 minutes,
or the channel's own `retry_after` when longer) and re-raises, so the function reports that item as failed. The
`notification_max_attempts`-th failure parks the message in the channel's dead-letter queue with the reason
(`{"reason", "message_id", "body"}`, as the verification worker parks its requests) and acknowledges it; the
queue's own maxReceiveCount is only the backstop. `algoarts dead-letters redrive` sends it back, and as the
delivery row is still `queued`, it is delivered normally then.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from shared.logs import logger
from shared.notifications.errors import RetryableDelivery
from shared.queues import delay_retry, send_json

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    from shared.notifications.deliver import Outcome
    from shared.settings import Settings

type DeliverOne = Callable[[str, str], Outcome]  # (delivery_id, dedup_key) -> what became of it


def message_of(record: SQSRecord, channel: str) -> tuple[str, str]:
    """(delivery_id, dedup_key) of a queue message; ValueError naming what is wrong."""
    try:
        body: Any = json.loads(record.body)
    except json.JSONDecodeError as exc:
        raise ValueError(f"notification message {record.message_id} is not JSON: {exc.msg}") from None
    if not isinstance(body, dict) or not body.get("delivery_id") or not body.get("dedup_key"):
        raise ValueError(f"notification message {record.message_id} has no delivery_id and dedup_key")
    if body.get("channel") != channel:
        raise ValueError(f"notification message {record.message_id} is for {body.get('channel')!r}, not {channel}")
    return str(body["delivery_id"]), str(body["dedup_key"])


MAX_DELAY_SECONDS = 900


def backoff(settings: Settings, receive_count: int) -> int:
    """Seconds before the next attempt: base, 2 x base, 4 x base ... capped at 15 minutes."""
    return int(min(MAX_DELAY_SECONDS, settings.notification_retry_base_seconds * 2 ** max(0, receive_count - 1)))


def park(settings: Settings, record: SQSRecord, reason: str) -> None:
    """The message to the channel's dead-letter queue with the reason; the caller then acknowledges it."""
    body = {"reason": reason, "message_id": record.message_id, "body": record.body}
    send_json(settings.require("notification_dead_letter_url"), body)
    logger.warning("notification parked", extra={"message_id": record.message_id, "reason": reason})


def handle(settings: Settings, record: SQSRecord, channel: str, deliver_one: DeliverOne) -> None:
    delivery_id, dedup_key = message_of(record, channel)
    try:
        outcome = deliver_one(delivery_id, dedup_key)
    except RetryableDelivery as exc:
        attempt = int(record.attributes.approximate_receive_count)
        if attempt >= settings.notification_max_attempts:
            park(settings, record, f"{channel} failed {attempt} times, the last: {exc.reason}")
            return
        delay = max(backoff(settings, attempt), int(exc.retry_after or 0))
        queue_url = settings.require(f"notification_{channel}_queue_url")
        delay_retry(queue_url, record.receipt_handle, delay)
        extra = {"channel": channel, "delivery_id": delivery_id, "attempt": attempt, "delay_s": delay}
        logger.warning("notification retried", extra={**extra, "reason": exc.reason})
        raise
    logger.info(
        "notification delivered",
        extra={"channel": channel, "delivery_id": delivery_id, "status": outcome.status, "reason": outcome.reason},
    )
