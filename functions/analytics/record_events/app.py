"""Kafka domain-event topics (`company.events`; more are a template change) -> ClickHouse `domain_events`.

One insert per invocation. A record that cannot be read raises `UnreadableRecord`, naming its topic,
partition and offset, its event type and the field at fault: the trigger retries the batch, then hands
it to the on-failure destination with that reason. Event types the registry does not know are recorded
as they came. Recording is idempotent by event id, so retries and redeliveries never count an event twice.
"""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import KafkaEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.analytics import clickhouse_client
from shared.analytics_events import record_domain_events
from shared.cold_start import cold_start
from shared.events import UnreadableRecord, parse_batch
from shared.logs import logger
from shared.settings import get_settings

cold_start(lambda: get_settings().require("clickhouse_url"))

__all__ = ["UnreadableRecord", "handler"]


@logger.inject_lambda_context
@event_source(data_class=KafkaEvent)
def handler(event: KafkaEvent, context: LambdaContext) -> dict[str, Any]:
    envelopes = parse_batch(event.records)
    recorded = record_domain_events(clickhouse_client(get_settings()), envelopes) if envelopes else 0
    logger.info("recorded", extra={"records": len(envelopes), "recorded": recorded})
    return {"records": len(envelopes), "recorded": recorded}
