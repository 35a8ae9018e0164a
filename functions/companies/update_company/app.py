"""PATCH /v1/companies/{id}: change some fields; `If-Match` with a stale version gets 409."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from shared.cache import company_cache
from shared.companies.model import Company, CompanyPatch
from shared.companies.service import update_company
from shared.http import entrypoint, resolver
from shared.http.preconditions import etag, expected_version
from shared.identity.guard import command_context, require
from shared.identity.roles import Permission
from shared.settings import get_settings

app = resolver()


@app.patch("/v1/companies/<company_id>")
def update(company_id: Annotated[str, Path(min_length=1, max_length=500)], patch: CompanyPatch) -> Response[Company]:
    settings = get_settings()
    event = app.current_event.raw_event
    principal = require(settings, event, Permission.COMPANY_WRITE)
    company = update_company(
        settings,
        company_id,
        patch,
        command_context(event, principal),
        expected_version=expected_version(app.current_event.headers),
        cache=company_cache(settings.redis_url, settings.cache_ttl_seconds),
    )
    return Response(
        status_code=200, content_type="application/json", body=company, headers={"ETag": etag(company.version)}
    )


handler = entrypoint(app, warm=get_settings)
