"""PUT /v1/admin/users/{user_id}/roles: replace a user's roles; their current tokens stop working."""

from shared.http import api, entrypoint
from shared.http.deps import UserManager
from shared.http.paths import UserId
from shared.identity.model import SetRolesCommand, User
from shared.identity.service import set_roles

app = api()


@app.put("/v1/admin/users/<user_id>/roles")
def put(user_id: UserId, command: SetRolesCommand, caller: UserManager) -> User:
    return set_roles(caller.settings, caller.principal, user_id, command, caller.origin)


handler = entrypoint(app)
