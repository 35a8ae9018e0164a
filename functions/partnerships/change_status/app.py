"""POST /v1/partnerships/{id}/status: move it along the lifecycle; an invalid move is 409."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from shared.http import entrypoint, resolver
from shared.identity.guard import command_context, require
from shared.identity.roles import Permission
from shared.partnerships.model import Partnership, StatusChange
from shared.partnerships.service import change_status
from shared.settings import get_settings

app = resolver()


@app.post("/v1/partnerships/<partnership_id>/status")
def move(partnership_id: Annotated[str, Path(min_length=1, max_length=100)], change: StatusChange) -> Partnership:
    settings = get_settings()
    event = app.current_event.raw_event
    principal = require(settings, event, Permission.PARTNERSHIP_WRITE)
    return change_status(settings, partnership_id, change.status, command_context(event, principal))


handler = entrypoint(app, warm=get_settings)
