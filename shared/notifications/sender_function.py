"""The Lambda handler every channel's sender function has: the same SQS shell around its own `send_one`.

Cold start validates the settings and the channel's queue URL; each batch is processed with partial
failures (powertools' BatchProcessor): a message retried with backoff, or one that cannot be read, fails
alone and the rest of the batch is acknowledged. The local cloud's warm-up ping (an empty batch) is answered
at once. What a message does is `sending.handle` with the function's `send_one`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cold_start import cold_start, is_warmup
from shared.logs import logger
from shared.notifications.sending import DeliverOne, handle
from shared.settings import get_settings

type SenderHandler = Callable[[dict[str, Any], LambdaContext], PartialItemFailureResponse]


def sender(channel: str, send_one: DeliverOne) -> SenderHandler:
    """The handler of `channel`'s sender function (email, telegram, push)."""
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    cold_start(lambda: get_settings().require(f"notification_{channel}_queue_url"))

    def record_handler(record: SQSRecord) -> None:
        handle(get_settings(), record, channel, send_one)

    @logger.inject_lambda_context
    def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        if is_warmup(event):
            return {"batchItemFailures": []}
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return handler
