"""PUT /v1/admin/users/{user_id}/roles: replace a user's roles; their current tokens stop working."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends

from shared.http import api, entrypoint
from shared.http.deps import Caller, requires
from shared.http.paths import UserId
from shared.identity.model import SetRolesCommand, User
from shared.identity.roles import Permission
from shared.identity.service import set_roles

app = api()


@app.put("/v1/admin/users/<user_id>/roles")
def put(
    user_id: UserId, command: SetRolesCommand, caller: Annotated[Caller, Depends(requires(Permission.USER_MANAGE))]
) -> User:
    return set_roles(caller.settings, caller.principal, user_id, command, caller.origin)


handler = entrypoint(app)
