"""PUT /v1/admin/users/{user_id}/roles: replace a user's roles; their current tokens stop working."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from shared.http import entrypoint, resolver
from shared.identity.guard import origin_from_event, require
from shared.identity.model import SetRolesCommand, User
from shared.identity.roles import Permission
from shared.identity.service import set_roles
from shared.settings import get_settings

app = resolver()


@app.put("/v1/admin/users/<user_id>/roles")
def put(user_id: Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")], command: SetRolesCommand) -> User:
    settings = get_settings()
    event = app.current_event.raw_event
    return set_roles(
        settings, require(settings, event, Permission.USER_MANAGE), user_id, command, origin_from_event(event)
    )


handler = entrypoint(app, warm=get_settings)
