"""POST /v1/companies: a new company, its `company.created` event and outbox message in one transaction."""

from aws_lambda_powertools.event_handler import Response

from shared.cache import company_cache
from shared.companies.model import Company, CompanyCreate
from shared.companies.service import create_company
from shared.http import entrypoint, resolver
from shared.http.preconditions import etag
from shared.identity.guard import command_context, require
from shared.identity.roles import Permission
from shared.settings import get_settings

app = resolver()


@app.post("/v1/companies")
def create(command: CompanyCreate) -> Response[Company]:
    settings = get_settings()
    event = app.current_event.raw_event
    principal = require(settings, event, Permission.COMPANY_WRITE)
    cache = company_cache(settings.redis_url, settings.cache_ttl_seconds)
    company = create_company(settings, command, command_context(event, principal), cache=cache)
    return Response(
        status_code=201,
        content_type="application/json",
        body=company,
        headers={"Location": f"/v1/companies/{company.id}", "ETag": etag(company.version)},
    )


handler = entrypoint(app, warm=get_settings)
