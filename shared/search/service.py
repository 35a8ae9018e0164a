"""`GET /v1/search` as a service: the hybrid search over the read model, and its analytics record.

The index client and the query embedder are per warm function (cached); `warm()` loads the embedding
model at cold start so the first search does not pay for it (without the model, search is text-only).
"""

from __future__ import annotations

import time
from functools import cache

from shared.analytics_events import SearchRecord, search_recorder
from shared.db import connection
from shared.embeddings import COLUMN_DIMENSIONS, embedder
from shared.identity.guard import Principal
from shared.logs import logger
from shared.search import SearchIndex, search_index
from shared.search.hybrid import QueryEmbedder
from shared.search.hybrid import search as hybrid_search
from shared.search.model import SearchPage, SearchQuery
from shared.settings import Settings, get_settings


@cache
def query_embedder() -> QueryEmbedder:
    return QueryEmbedder(lambda: embedder(get_settings()), dimensions=COLUMN_DIMENSIONS)


@cache
def index() -> SearchIndex:
    return search_index(get_settings())


def warm() -> None:
    """Load the query embedder (never raises: without the model the search is text-only, and says so)."""
    reason = query_embedder().warm()
    if reason is not None:
        logger.warning("search starts without semantic search", extra={"reason": reason})


def search_companies(settings: Settings, principal: Principal, query: SearchQuery) -> SearchPage:
    """One page of results; the search (who, what, filters, how many, how long) is recorded for analytics."""
    started = time.perf_counter()
    page = hybrid_search(query, index=index(), conn=connection(settings.database_url), embedder=query_embedder())
    took_ms = (time.perf_counter() - started) * 1000
    recorder = search_recorder(settings)
    if recorder is not None:
        recorder.submit(SearchRecord(principal.user_id, query.q, query.applied(), page.total, took_ms))
    return page
