"""POST /v1/auth/register: a new free account (409 if the email is taken, 422 naming a weak password's rule)."""

from aws_lambda_powertools.event_handler import Response

from shared.http import api, entrypoint
from shared.http.answers import ok
from shared.http.deps import OriginDep, SettingsDep
from shared.identity.model import RegisterCommand, User
from shared.identity.service import register

app = api()


@app.post("/v1/auth/register", status_code=201)
def post(command: RegisterCommand, settings: SettingsDep, origin: OriginDep) -> Response[User]:
    return ok(register(settings, command, origin), status=201)


handler = entrypoint(app)
