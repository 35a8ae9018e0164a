"""Kafka `notification.events`, `partnership.events`, `company.events` -> the inbox, one delivery per
recipient and channel, and the queued ones on their channel's SQS queue (shared.notifications.dispatch).

Each event is written in its own transaction and is idempotent by its dedup keys, so a redelivered batch
writes and enqueues nothing twice. An event type on notification.events that no kind handles, or a template
that fails to render, raises: the trigger retries the batch, then hands it to the on-failure destination
(DispatchNotificationsDeadLetters) with that reason; nothing of that event was written.
"""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import KafkaEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cold_start import cold_start
from shared.db import connection
from shared.events import parse_batch
from shared.logs import logger
from shared.notifications.dispatch import dispatch, enqueue
from shared.settings import get_settings

cold_start(lambda: [get_settings().require(f"notification_{c}_queue_url") for c in ("email", "telegram", "push")])


@logger.inject_lambda_context
@event_source(data_class=KafkaEvent)
def handler(event: KafkaEvent, context: LambdaContext) -> dict[str, Any]:
    envelopes = parse_batch(event.records)
    if not envelopes:
        return {"records": 0}
    settings = get_settings()
    conn = connection(settings.database_url)
    result = dispatch(conn, settings, envelopes)
    queued = enqueue(None, settings, result.to_enqueue, conn=conn) if result.to_enqueue else 0
    summary = {"records": len(envelopes), "notified": result.notified, "ignored": result.ignored}
    logger.info("dispatched", extra={**summary, "deliveries": dict(result.deliveries), "enqueued": queued})
    return {**summary, "inbox": result.inbox, "deliveries": dict(result.deliveries), "enqueued": queued}
