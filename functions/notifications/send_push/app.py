"""The push queue -> the notification pushed to every browser the user subscribed (RFC 8030 with VAPID,
aes128gcm; shared.notifications.webpush): sent if any browser took it; a subscription the push service says
is gone (404/410) is removed; none left and the delivery is suppressed; a 429 or an outage is retried after
the backoff (shared.notifications.sending, deliver.deliver_push)."""

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cold_start import cold_start, is_warmup
from shared.db import connection
from shared.logs import logger
from shared.notifications.deliver import Outcome, deliver_push
from shared.notifications.sending import handle
from shared.settings import get_settings

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
cold_start(lambda: get_settings().require("notification_push_queue_url"))


@cache
def vapid_key() -> str:
    from shared.secrets import read_secret

    return read_secret(get_settings().vapid_private_key_secret)


def send_one(delivery_id: str, dedup_key: str) -> Outcome:
    settings = get_settings()

    def send(subscription: dict[str, Any], payload: dict[str, Any]) -> None:
        from shared.notifications import webpush  # httpx and the crypto on the first message, not at cold start

        webpush.send(subscription, payload, vapid_private_key=vapid_key(), vapid_subject=settings.vapid_subject)

    return deliver_push(connection(settings.database_url), settings, delivery_id, send)


def record_handler(record: SQSRecord) -> None:
    handle(get_settings(), record, "push", send_one)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    if is_warmup(event):
        return {"batchItemFailures": []}
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
