"""GET /v1/partnerships/{id}: one partnership of the caller's companies (others: 403)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from shared.http import entrypoint, resolver
from shared.identity.guard import require
from shared.identity.roles import Permission
from shared.partnerships.model import Partnership
from shared.partnerships.service import get_partnership
from shared.settings import get_settings

app = resolver()


@app.get("/v1/partnerships/<partnership_id>")
def get(partnership_id: Annotated[str, Path(min_length=1, max_length=100)]) -> Partnership:
    settings = get_settings()
    principal = require(settings, app.current_event.raw_event, Permission.PARTNERSHIP_READ)
    return get_partnership(settings, partnership_id, principal)


handler = entrypoint(app, warm=get_settings)
