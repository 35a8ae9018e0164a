"""GET /v1/search?q=: free-text search over the company read model of the active profile.

Each search is recorded for analytics (ClickHouse `search_queries`: who, what, filters, how many
hits, how long) by a background thread after the answer is built: a slow or down ClickHouse costs
the answer nothing and is only a logged warning (shared/analytics_events.py).
"""

import time
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.analytics_events import SearchRecord, search_recorder
from shared.companies.model import SearchResult
from shared.http import entrypoint, resolver
from shared.identity.guard import require
from shared.identity.roles import Permission
from shared.search import search_index
from shared.settings import get_settings

app = resolver()


@app.get("/v1/search")
def search(
    q: Annotated[str, Query(min_length=1, max_length=200, description="free text")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchResult:
    settings = get_settings()
    principal = require(settings, app.current_event.raw_event, Permission.COMPANY_READ)
    index = search_index(settings)
    started = time.perf_counter()
    hits = index.search(q, limit)
    took_ms = (time.perf_counter() - started) * 1000
    result = SearchResult(query=q, backend=index.backend, hits=hits)
    recorder = search_recorder(settings)
    if recorder is not None:
        filters: dict[str, Any] = {}  # the search's filters (industry, city, ...) once it takes any
        recorder.submit(SearchRecord(principal.user_id, q, filters, len(hits), took_ms))
    return result


handler = entrypoint(app, warm=get_settings)
