"""POST /v1/companies/{id}/restore: undo a soft delete (409 if its INN/OGRN was taken meanwhile)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from shared.cache import company_cache
from shared.companies.model import Company
from shared.companies.service import restore_company
from shared.http import entrypoint, resolver
from shared.http.preconditions import etag, expected_version
from shared.identity.guard import command_context, require
from shared.identity.roles import Permission
from shared.settings import get_settings

app = resolver()


@app.post("/v1/companies/<company_id>/restore")
def restore(company_id: Annotated[str, Path(min_length=1, max_length=500)]) -> Response[Company]:
    settings = get_settings()
    event = app.current_event.raw_event
    principal = require(settings, event, Permission.COMPANY_WRITE)
    company = restore_company(
        settings,
        company_id,
        command_context(event, principal),
        expected_version=expected_version(app.current_event.headers),
        cache=company_cache(settings.redis_url, settings.cache_ttl_seconds),
    )
    return Response(
        status_code=200, content_type="application/json", body=company, headers={"ETag": etag(company.version)}
    )


handler = entrypoint(app, warm=get_settings)
