"""The enrichment agent: {company_id} (direct invocation, or SQS messages from the scout) -> the company's
AI summary, tags and sentiment, recorded through the companies service (event + outbox, so read models
follow). A failed message is retried by the queue (partial batch response); a gone company is skipped."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cache import company_cache
from shared.cold_start import cold_start, is_warmup
from shared.discovery.enrichment import enrich
from shared.errors import NotFound
from shared.logs import logger
from shared.settings import get_settings

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
cold_start()


def enrich_one(company_id: str) -> dict[str, Any]:
    settings = get_settings()
    try:
        result = enrich(settings, company_id, cache=company_cache(settings.redis_url, settings.cache_ttl_seconds))
    except NotFound:
        logger.info("enrichment skipped: company gone", extra={"company_id": company_id})
        return {"company_id": company_id, "skipped": "gone"}
    logger.info("enriched", extra=result)
    return result


def record_handler(record: SQSRecord) -> None:
    enrich_one(str(json.loads(record.body)["company_id"]))


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if is_warmup(event):
        return {}
    if "Records" in event:
        return dict(process_partial_response(event, record_handler, processor, context))
    return enrich_one(str(event["company_id"]))
