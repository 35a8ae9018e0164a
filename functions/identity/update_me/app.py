"""PATCH /v1/users/me: change one's name or password (the current password is required for that)."""

from shared.http import api, entrypoint
from shared.http.deps import SignedIn
from shared.identity.model import UpdateMeCommand, User
from shared.identity.service import update_me

app = api()


@app.patch("/v1/users/me")
def patch(command: UpdateMeCommand, caller: SignedIn) -> User:
    return update_me(caller.settings, caller.principal, command, caller.origin)


handler = entrypoint(app)
