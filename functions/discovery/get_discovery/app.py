"""GET /v1/discoveries/{id}: where a discovery run stands (step, scored candidates, draft, review, failures)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from shared.discovery import service
from shared.discovery.model import Discovery
from shared.http import entrypoint, resolver
from shared.identity.guard import require
from shared.identity.roles import Permission
from shared.settings import get_settings

app = resolver()


@app.get("/v1/discoveries/<discovery_id>")
def get(discovery_id: Annotated[str, Path(min_length=1, max_length=100)]) -> Response[Discovery]:
    settings = get_settings()
    principal = require(settings, app.current_event.raw_event, Permission.PARTNERSHIP_READ)
    return Response(
        status_code=200, content_type="application/json", body=service.get(settings, principal, discovery_id)
    )


handler = entrypoint(app, warm=get_settings)
