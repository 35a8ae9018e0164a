"""POST /v1/outreach/{id}/reject: the BD manager rejects the run's draft with a reason; the run ends
`rejected`. 409 when already decided or expired."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from shared.discovery import service
from shared.discovery.model import Discovery, RejectOutreach
from shared.discovery.workflow import StepFunctionsWorkflow
from shared.http import entrypoint, resolver
from shared.identity.guard import command_context, require
from shared.identity.roles import Permission
from shared.settings import get_settings

app = resolver()


@app.post("/v1/outreach/<discovery_id>/reject")
def reject(
    discovery_id: Annotated[str, Path(min_length=1, max_length=100)], request: RejectOutreach
) -> Response[Discovery]:
    settings = get_settings()
    event = app.current_event.raw_event
    ctx = command_context(event, require(settings, event, Permission.PARTNERSHIP_WRITE))
    decided = service.reject(settings, ctx, discovery_id, request, StepFunctionsWorkflow())
    return Response(status_code=200, content_type="application/json", body=decided)


handler = entrypoint(app, warm=get_settings)
