"""PATCH /v1/users/me: change one's name or password (the current password is required for that)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends

from shared.http import api, entrypoint
from shared.http.deps import Caller, requires
from shared.identity.model import UpdateMeCommand, User
from shared.identity.service import update_me

app = api()


@app.patch("/v1/users/me")
def patch(command: UpdateMeCommand, caller: Annotated[Caller, Depends(requires())]) -> User:
    return update_me(caller.settings, caller.principal, command, caller.origin)


handler = entrypoint(app)
