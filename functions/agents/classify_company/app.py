"""Kafka `company.events` -> the classification agent: a language model's proposals of the company's kinds of
product (`companies.llm_proposals`, merged into `proposed_sub_industries`), where a provider is configured.

Only changes of the company's text are read, once per company per batch; companies with codes of their own
are skipped; with no provider nothing is asked (shared.companies.kind_agent). A provider outage is logged
and counted, never a failed batch: the nearest-neighbour proposals stand.
"""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import KafkaEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cold_start import cold_start
from shared.companies.kind_agent import classify_with_llm
from shared.db import connection
from shared.events import parse_batch
from shared.logs import logger
from shared.settings import get_settings

cold_start()


@logger.inject_lambda_context
@event_source(data_class=KafkaEvent)
def handler(event: KafkaEvent, context: LambdaContext) -> dict[str, Any]:
    envelopes = parse_batch(event.records)
    if not envelopes:
        return {"records": 0}
    settings = get_settings()
    counts = classify_with_llm(settings, connection(settings.database_url), envelopes)
    logger.info("classified", extra=counts)
    return {"records": len(envelopes), "outcomes": counts}
