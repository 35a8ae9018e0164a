"""POST /v1/admin/users/{user_id}/deactivate: the account can no longer log in or use its tokens."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from shared.http import entrypoint, resolver
from shared.identity.guard import origin_from_event, require
from shared.identity.model import User
from shared.identity.roles import Permission
from shared.identity.service import deactivate
from shared.settings import get_settings

app = resolver()


@app.post("/v1/admin/users/<user_id>/deactivate")
def post(user_id: Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]) -> User:
    settings = get_settings()
    event = app.current_event.raw_event
    return deactivate(settings, require(settings, event, Permission.USER_MANAGE), user_id, origin_from_event(event))


handler = entrypoint(app, warm=get_settings)
