"""GET /v1/search?q=: free-text search over the company read model of the active profile."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

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
    require(settings, app.current_event.raw_event, Permission.COMPANY_READ)
    index = search_index(settings)
    return SearchResult(query=q, backend=index.backend, hits=index.search(q, limit))


handler = entrypoint(app, warm=get_settings)
