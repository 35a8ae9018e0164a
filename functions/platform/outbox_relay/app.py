"""Scheduled outbox relay for the cloud: drains pending outbox rows to Kafka, in order.

Locally the relay is a long-running process woken by Postgres NOTIFY (`localcloud.relay`) and this
schedule is disabled; in the cloud a one-minute schedule sweeps what is pending, and the drain's
advisory lock keeps two runs from interleaving.
"""

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cold_start import cold_start
from shared.db import connection
from shared.kafka import KafkaPublisher
from shared.logs import logger
from shared.outbox import drain
from shared.settings import get_settings

cold_start()


@cache
def publisher() -> KafkaPublisher:
    return KafkaPublisher(get_settings().require("kafka_bootstrap"))


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    if settings.event_bus != "kafka":
        return {"published": 0, "skipped": "the event bus is direct: the local relay delivers"}
    published = drain(connection(settings.database_url), publisher())
    logger.info("relayed", extra={"published": published})
    return {"published": published}
