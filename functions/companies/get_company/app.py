"""GET /v1/companies/{id}: a company by id or slug, from the Redis cache or Postgres."""

from functools import cache
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from shared.cache import CompanyCache, redis_client
from shared.companies.model import Company
from shared.companies.service import get_company
from shared.http import entrypoint, resolver
from shared.identity.guard import require
from shared.identity.roles import Permission
from shared.settings import get_settings

app = resolver()


@cache
def company_cache() -> CompanyCache:
    settings = get_settings()
    return CompanyCache(redis_client(settings.redis_url), settings.cache_ttl_seconds)


@app.get("/v1/companies/<company_id>")
def get(company_id: Annotated[str, Path(min_length=1, max_length=500)]) -> Company:
    settings = get_settings()
    require(settings, app.current_event.raw_event, Permission.COMPANY_READ)
    return get_company(settings, company_id, company_cache())


handler = entrypoint(app, warm=get_settings)
