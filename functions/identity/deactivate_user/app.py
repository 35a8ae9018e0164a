"""POST /v1/admin/users/{user_id}/deactivate: the account can no longer log in or use its tokens."""

from shared.http import api, entrypoint
from shared.http.deps import UserManager
from shared.http.paths import UserId
from shared.identity.model import User
from shared.identity.service import deactivate

app = api()


@app.post("/v1/admin/users/<user_id>/deactivate")
def post(user_id: UserId, caller: UserManager) -> User:
    return deactivate(caller.settings, caller.principal, user_id, caller.origin)


handler = entrypoint(app)
