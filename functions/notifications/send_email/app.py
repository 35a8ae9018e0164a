"""The email queue -> one email per message over SMTP (shared.notifications.email): multipart text + HTML in
the recipient's language with one-click unsubscribe headers (RFC 8058), a Message-ID derived from the
delivery's dedup key. Sent once: a duplicate message finds the delivery sent and sends nothing; SMTP down or
a 4xx reply is retried with backoff, then dead-lettered (NotificationEmailDeadLetters), redrivable; a 5xx
for the recipient fails the delivery with the reason (shared.notifications.sending, deliver)."""

from email.message import EmailMessage
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cold_start import cold_start, is_warmup
from shared.db import connection
from shared.logs import logger
from shared.notifications import email
from shared.notifications.deliver import Outcome, deliver
from shared.notifications.errors import PermanentDelivery
from shared.notifications.sending import handle
from shared.settings import get_settings

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
cold_start(lambda: get_settings().require("notification_email_queue_url"))


def send_one(delivery_id: str, dedup_key: str) -> Outcome:
    settings = get_settings()

    def send(content: dict[str, Any]) -> None:
        try:
            message = _compose(settings.mail_from, dedup_key, content)
        except (KeyError, ValueError) as exc:  # a content the dispatcher should never write: not worth retrying
            raise PermanentDelivery(f"the email cannot be composed: {exc}") from None
        email.send(settings, message)

    return deliver(connection(settings.database_url), settings, delivery_id, send)


def _compose(sender: str, dedup_key: str, content: dict[str, Any]) -> EmailMessage:
    return email.compose(
        sender=sender,
        to=content["to"],
        subject=content["subject"],
        text=content["text"],
        html=content["html"],
        unsubscribe_url=content.get("unsubscribe_url"),
        message_id=dedup_key,
        language=content.get("language", "ru"),
    )


def record_handler(record: SQSRecord) -> None:
    handle(get_settings(), record, "email", send_one)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    if is_warmup(event):
        return {"batchItemFailures": []}
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
