"""POST /v1/auth/refresh: a refresh token for a new pair; each refresh token works once, and
presenting a spent one revokes its whole family (a stolen token is then useless to both sides)."""

from shared.http import api, entrypoint
from shared.http.deps import OriginDep, SettingsDep
from shared.identity.keys import key_set
from shared.identity.model import RefreshCommand, TokenPair
from shared.identity.service import refresh

app = api()


@app.post("/v1/auth/refresh")
def post(command: RefreshCommand, settings: SettingsDep, origin: OriginDep) -> TokenPair:
    return refresh(settings, key_set(settings.jwt_keys_secret), command.refresh_token, origin)


handler = entrypoint(app)
