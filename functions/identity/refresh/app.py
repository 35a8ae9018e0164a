"""POST /v1/auth/refresh: a refresh token for a new pair; each refresh token works once, and
presenting a spent one revokes its whole family (a stolen token is then useless to both sides)."""

from shared.http import entrypoint, resolver
from shared.identity.guard import origin_from_event
from shared.identity.keys import key_set
from shared.identity.model import RefreshCommand, TokenPair
from shared.identity.service import refresh
from shared.settings import get_settings

app = resolver()


@app.post("/v1/auth/refresh")
def post(command: RefreshCommand) -> TokenPair:
    settings = get_settings()
    return refresh(
        settings,
        key_set(settings.jwt_keys_secret),
        command.refresh_token,
        origin_from_event(app.current_event.raw_event),
    )


handler = entrypoint(app, warm=get_settings)
