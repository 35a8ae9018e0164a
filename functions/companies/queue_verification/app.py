"""Kafka `company.events` -> the verification queue: a new company (or a changed INN) gets a ЕГРЮЛ check.

Sending twice is harmless (the worker appends nothing when the registry says nothing new); a
record that cannot be read raises, so the trigger retries and then parks it with the reason.
"""

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes import KafkaEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cold_start import cold_start
from shared.companies.verification import request_for_event
from shared.events import parse_batch
from shared.logs import logger
from shared.queues import send_json
from shared.settings import get_settings


@cache
def queue_url() -> str:
    return get_settings().require("verification_queue_url")


cold_start(queue_url)


@logger.inject_lambda_context
@event_source(data_class=KafkaEvent)
def handler(event: KafkaEvent, context: LambdaContext) -> dict[str, Any]:
    envelopes = parse_batch(event.records)
    requests = [request for envelope in envelopes if (request := request_for_event(envelope)) is not None]
    for request in requests:
        send_json(queue_url(), request)
        logger.info("verification queued", extra={"company_id": request["company_id"]})
    return {"records": len(envelopes), "queued": len(requests)}
