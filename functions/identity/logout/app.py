"""POST /v1/auth/logout: the access token stops working at once; a given refresh token's family too."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from shared.http import entrypoint, no_content, resolver
from shared.identity.guard import origin_from_event, require
from shared.identity.model import LogoutCommand
from shared.identity.service import logout
from shared.settings import get_settings

app = resolver()


@app.post("/v1/auth/logout")
def post(command: Annotated[LogoutCommand | None, Body()] = None) -> Response[str]:
    settings = get_settings()
    event = app.current_event.raw_event
    refresh_token = command.refresh_token if command else None
    logout(settings, require(settings, event), refresh_token, origin_from_event(event))
    return no_content()


handler = entrypoint(app, warm=get_settings)
