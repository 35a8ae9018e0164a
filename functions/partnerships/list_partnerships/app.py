"""GET /v1/partnerships: the caller's companies' partnerships, newest first, by status."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.http import entrypoint, resolver
from shared.identity.guard import require
from shared.identity.roles import Permission
from shared.partnerships.model import PartnershipListQuery, PartnershipPage
from shared.partnerships.service import list_partnerships
from shared.settings import get_settings

app = resolver()


@app.get("/v1/partnerships")
def list_(query: Annotated[PartnershipListQuery, Query()]) -> PartnershipPage:
    settings = get_settings()
    principal = require(settings, app.current_event.raw_event, Permission.PARTNERSHIP_READ)
    return list_partnerships(settings, principal, query)


handler = entrypoint(app, warm=get_settings)
