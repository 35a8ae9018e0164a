"""POST /v1/auth/login: email and password for an access token (1 h) and a refresh token.

Unknown email and wrong password get the same 401; repeated failures per account or per source
address get 429 with Retry-After.
"""

from shared.http import entrypoint, resolver
from shared.identity.guard import origin_from_event
from shared.identity.keys import key_set
from shared.identity.model import LoginCommand, TokenPair
from shared.identity.service import login
from shared.settings import get_settings

app = resolver()


@app.post("/v1/auth/login")
def post(command: LoginCommand) -> TokenPair:
    settings = get_settings()
    return login(settings, key_set(settings.jwt_keys_secret), command, origin_from_event(app.current_event.raw_event))


handler = entrypoint(app, warm=get_settings)
