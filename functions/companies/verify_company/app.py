"""SQS verification queue -> ЕГРЮЛ via DaData -> `company.verified` or `company.verification_failed`.

Each message is one request (shared/companies/verification_worker.py says what happens to it); a
failed one is retried on its own schedule (partial batch response), never the whole batch.
"""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cold_start import cold_start, is_warmup
from shared.companies.verification_worker import verify
from shared.logs import logger
from shared.settings import get_settings

# A batch whose every message failed is answered like any other (each one retried on its own schedule).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
cold_start(lambda: get_settings().require("verification_dead_letter_url"))


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    if is_warmup(event):  # powertools refuses an empty batch
        return {"batchItemFailures": []}
    return process_partial_response(event=event, record_handler=verify, processor=processor, context=context)
