"""DELETE /v1/companies/{id}: soft delete (`deleted_at`); the company 404s until restored."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from shared.cache import company_cache
from shared.companies.service import delete_company
from shared.http import entrypoint, no_content, resolver
from shared.http.preconditions import expected_version
from shared.identity.guard import command_context, require
from shared.identity.roles import Permission
from shared.settings import get_settings

app = resolver()


@app.delete("/v1/companies/<company_id>")
def delete(company_id: Annotated[str, Path(min_length=1, max_length=500)]) -> Response[str]:
    settings = get_settings()
    event = app.current_event.raw_event
    principal = require(settings, event, Permission.COMPANY_WRITE)
    delete_company(
        settings,
        company_id,
        command_context(event, principal),
        expected_version=expected_version(app.current_event.headers),
        cache=company_cache(settings.redis_url, settings.cache_ttl_seconds),
    )
    return no_content()


handler = entrypoint(app, warm=get_settings)
