"""POST /v1/admin/users/{user_id}/deactivate: the account can no longer log in or use its tokens."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends

from shared.http import api, entrypoint
from shared.http.deps import Caller, requires
from shared.http.paths import UserId
from shared.identity.model import User
from shared.identity.roles import Permission
from shared.identity.service import deactivate

app = api()


@app.post("/v1/admin/users/<user_id>/deactivate")
def post(user_id: UserId, caller: Annotated[Caller, Depends(requires(Permission.USER_MANAGE))]) -> User:
    return deactivate(caller.settings, caller.principal, user_id, caller.origin)


handler = entrypoint(app)
