"""GET /v1/users/me: the caller's own account."""

from shared.http import api, entrypoint
from shared.http.deps import SignedIn
from shared.identity.model import User
from shared.identity.service import me

app = api()


@app.get("/v1/users/me")
def get(caller: SignedIn) -> User:
    return me(caller.settings, caller.principal)


handler = entrypoint(app)
