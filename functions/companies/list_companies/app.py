"""GET /v1/companies: the catalog with the seed's filters, sorting and cursor pagination, cached in Redis."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.cache import list_cache
from shared.companies.model import CompanyListQuery, CompanyPage
from shared.companies.service import list_companies
from shared.http import entrypoint, resolver
from shared.identity.guard import require
from shared.identity.roles import Permission
from shared.settings import get_settings

app = resolver()


@app.get("/v1/companies")
def list_(query: Annotated[CompanyListQuery, Query()]) -> CompanyPage:
    settings = get_settings()
    require(settings, app.current_event.raw_event, Permission.COMPANY_READ)
    return list_companies(settings, query, list_cache(settings.redis_url, settings.list_cache_ttl_seconds))


handler = entrypoint(app, warm=get_settings)
