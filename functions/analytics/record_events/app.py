"""Kafka domain-event topics (`company.events`; more are a template change) -> ClickHouse `domain_events`.

One insert per invocation. A record that cannot be read raises, naming its topic, partition and
offset: the trigger retries the batch, then hands it to the on-failure destination with the reason.
Recording is idempotent by event id, so retries and redeliveries never count an event twice.
"""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import KafkaEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.analytics import clickhouse_client
from shared.analytics_events import record_domain_events
from shared.events import EventEnvelope
from shared.http import logger
from shared.settings import get_settings

get_settings().require("clickhouse_url")  # cold start fails fast on bad or missing settings


class UnreadableRecord(ValueError):
    """A Kafka record that is not an event envelope; the batch goes to the on-failure destination."""


@logger.inject_lambda_context
@event_source(data_class=KafkaEvent)
def handler(event: KafkaEvent, context: LambdaContext) -> dict[str, Any]:
    envelopes = []
    for record in event.records:
        try:
            envelopes.append(EventEnvelope.model_validate_json(record.decoded_value))
        except ValueError as exc:  # not JSON, not base64, or not an envelope (ValidationError)
            where = f"{record.topic}-{record.partition}@{record.offset}"
            raise UnreadableRecord(f"{where} is not an event envelope: {exc}") from exc
    recorded = record_domain_events(clickhouse_client(get_settings()), envelopes) if envelopes else 0
    logger.info("recorded", extra={"records": len(envelopes), "recorded": recorded})
    return {"records": len(envelopes), "recorded": recorded}
