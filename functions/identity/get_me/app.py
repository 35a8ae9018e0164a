"""GET /v1/users/me: the caller's own account."""

from shared.http import entrypoint, resolver
from shared.identity.guard import require
from shared.identity.model import User
from shared.identity.service import me
from shared.settings import get_settings

app = resolver()


@app.get("/v1/users/me")
def get() -> User:
    settings = get_settings()
    return me(settings, require(settings, app.current_event.raw_event))


handler = entrypoint(app, warm=get_settings)
