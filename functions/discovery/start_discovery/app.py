"""POST /v1/discoveries: start the partner-discovery chain for the caller's company (202 {id, status})."""

from aws_lambda_powertools.event_handler import Response

from shared.discovery import service
from shared.discovery.model import DiscoveryStarted, StartDiscovery
from shared.discovery.workflow import StepFunctionsWorkflow
from shared.http import entrypoint, resolver
from shared.identity.guard import command_context, require
from shared.identity.roles import Permission
from shared.settings import get_settings

app = resolver()


@app.post("/v1/discoveries")
def start(request: StartDiscovery) -> Response[DiscoveryStarted]:
    settings = get_settings()
    event = app.current_event.raw_event
    ctx = command_context(event, require(settings, event, Permission.PARTNERSHIP_WRITE))
    started = service.start(settings, ctx, request, StepFunctionsWorkflow())
    return Response(
        status_code=202,
        content_type="application/json",
        body=started,
        headers={"Location": f"/v1/discoveries/{started.id}"},
    )


handler = entrypoint(app, warm=get_settings)
