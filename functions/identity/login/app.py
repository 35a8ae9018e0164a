"""POST /v1/auth/login: email and password for an access token (1 h) and a refresh token.

Unknown email and wrong password get the same 401; repeated failures per account or per source
address get 429 with Retry-After.
"""

from shared.http import api, entrypoint
from shared.http.deps import OriginDep, SettingsDep
from shared.identity.keys import key_set
from shared.identity.model import LoginCommand, TokenPair
from shared.identity.service import login

app = api()


@app.post("/v1/auth/login")
def post(command: LoginCommand, settings: SettingsDep, origin: OriginDep) -> TokenPair:
    return login(settings, key_set(settings.jwt_keys_secret), command, origin)


handler = entrypoint(app)
