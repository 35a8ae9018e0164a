"""POST /v1/auth/logout: the access token stops working at once; a given refresh token's family too."""

from aws_lambda_powertools.event_handler import Response

from shared.http import api, entrypoint, no_content
from shared.http.deps import SignedIn
from shared.identity.model import LogoutCommand
from shared.identity.service import logout

app = api()


@app.post("/v1/auth/logout", status_code=204)
def post(caller: SignedIn, command: LogoutCommand | None = None) -> Response[str]:
    logout(caller.settings, caller.principal, command.refresh_token if command else None, caller.origin)
    return no_content()


handler = entrypoint(app)
