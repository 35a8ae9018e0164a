"""Kafka `company.events` -> Redis cache and the search read model (OpenSearch or Postgres).

Any record that cannot be applied raises: the trigger retries the batch, then hands it to the
on-failure destination with the reason. Projections are idempotent by version, so retries are safe.
"""

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes import KafkaEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cache import CompanyCache, redis_client
from shared.cold_start import cold_start
from shared.events import parse_batch
from shared.logs import logger
from shared.projections import project_companies
from shared.search import SearchIndex, search_index
from shared.settings import get_settings

cold_start()


@cache
def read_models() -> tuple[CompanyCache, SearchIndex]:
    settings = get_settings()
    return CompanyCache(redis_client(settings.redis_url), settings.cache_ttl_seconds), search_index(settings)


@logger.inject_lambda_context
@event_source(data_class=KafkaEvent)
def handler(event: KafkaEvent, context: LambdaContext) -> dict[str, Any]:
    cache_, index = read_models()
    envelopes = parse_batch(event.records)
    result = project_companies(envelopes, cache_, index)
    logger.info("projected", extra={"records": len(envelopes), "cached": result.cached, "indexed": result.indexed})
    return {"records": len(envelopes), "cached": result.cached, "indexed": result.indexed}
