"""GET /v1/companies/{id}/partners: ranked partner suggestions with the per-criterion breakdown."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from shared.http import entrypoint, resolver
from shared.identity.guard import require
from shared.identity.roles import Permission
from shared.partnerships.model import SuggestionList
from shared.partnerships.service import partner_suggestions
from shared.settings import get_settings

app = resolver()


@app.get("/v1/companies/<company_id>/partners")
def suggest(
    company_id: Annotated[str, Path(min_length=1, max_length=500)],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SuggestionList:
    settings = get_settings()
    require(settings, app.current_event.raw_event, Permission.PARTNERSHIP_READ)
    return partner_suggestions(settings, company_id, limit=limit)


handler = entrypoint(app, warm=get_settings)
