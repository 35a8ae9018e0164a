"""POST /v1/auth/register: a new free account (409 if the email is taken, 422 naming a weak password's rule)."""

from aws_lambda_powertools.event_handler import Response

from shared.http import entrypoint, resolver
from shared.identity.guard import origin_from_event
from shared.identity.model import RegisterCommand, User
from shared.identity.service import register
from shared.settings import get_settings

app = resolver()


@app.post("/v1/auth/register")
def post(command: RegisterCommand) -> Response[User]:
    user = register(get_settings(), command, origin_from_event(app.current_event.raw_event))
    return Response(status_code=201, content_type="application/json", body=user)


handler = entrypoint(app, warm=get_settings)
