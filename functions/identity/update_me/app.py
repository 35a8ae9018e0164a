"""PATCH /v1/users/me: change one's name or password (the current password is required for that)."""

from shared.http import entrypoint, resolver
from shared.identity.guard import origin_from_event, require
from shared.identity.model import UpdateMeCommand, User
from shared.identity.service import update_me
from shared.settings import get_settings

app = resolver()


@app.patch("/v1/users/me")
def patch(command: UpdateMeCommand) -> User:
    settings = get_settings()
    event = app.current_event.raw_event
    return update_me(settings, require(settings, event), command, origin_from_event(event))


handler = entrypoint(app, warm=get_settings)
