"""PATCH /v1/partnerships/{id}: record outcomes (deal_value, revenue_generated, both ≥ 0)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from shared.http import entrypoint, resolver
from shared.identity.guard import command_context, require
from shared.identity.roles import Permission
from shared.partnerships.model import OutcomesPatch, Partnership
from shared.partnerships.service import record_outcomes
from shared.settings import get_settings

app = resolver()


@app.patch("/v1/partnerships/<partnership_id>")
def update(partnership_id: Annotated[str, Path(min_length=1, max_length=100)], patch: OutcomesPatch) -> Partnership:
    settings = get_settings()
    event = app.current_event.raw_event
    principal = require(settings, event, Permission.PARTNERSHIP_WRITE)
    return record_outcomes(settings, partnership_id, patch, command_context(event, principal))


handler = entrypoint(app, warm=get_settings)
