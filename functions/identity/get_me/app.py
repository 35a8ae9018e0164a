"""GET /v1/users/me: the caller's own account."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends

from shared.http import api, entrypoint
from shared.http.deps import Caller, requires
from shared.identity.model import User
from shared.identity.service import me

app = api()


@app.get("/v1/users/me")
def get(caller: Annotated[Caller, Depends(requires())]) -> User:
    return me(caller.settings, caller.principal)


handler = entrypoint(app)
