"""GET /v1/companies/{id}: a company by id or slug from the Redis cache or Postgres; former slugs redirect.

Each read counts a view in Redis (`view_count` in the answer includes it; FlushViewCountsFunction
writes the totals to Postgres)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from shared.cache import company_cache, view_counter
from shared.companies.model import Company
from shared.companies.service import get_company
from shared.companies.store import is_uuid
from shared.companies.views import count_view
from shared.http import MovedPermanently, entrypoint, resolver
from shared.http.preconditions import etag
from shared.identity.guard import require
from shared.identity.roles import Permission
from shared.settings import get_settings

app = resolver()


@app.get("/v1/companies/<company_id>")
def get(company_id: Annotated[str, Path(min_length=1, max_length=500)]) -> Response[Company]:
    settings = get_settings()
    require(settings, app.current_event.raw_event, Permission.COMPANY_READ)
    company = get_company(settings, company_id, company_cache(settings.redis_url, settings.cache_ttl_seconds))
    if not is_uuid(company_id) and company_id != company.slug:
        # A former slug: old links keep working. A relative reference resolves against whatever prefix
        # the gateway serves the API under (a stage, a custom domain path).
        raise MovedPermanently(company.slug)
    company = count_view(view_counter(settings.redis_url), company)
    return Response(
        status_code=200, content_type="application/json", body=company, headers={"ETag": etag(company.version)}
    )


handler = entrypoint(app, warm=get_settings)
