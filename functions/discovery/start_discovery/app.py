"""POST /v1/discoveries: start the partner-discovery chain for the caller's company (202 {id, status})."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends, Response

from shared.discovery import service
from shared.discovery.model import DiscoveryStarted, StartDiscovery
from shared.http import api, entrypoint
from shared.http.answers import accepted
from shared.http.deps import Caller, requires
from shared.http.workflows import Workflows
from shared.identity.roles import Permission

app = api()


@app.post("/v1/discoveries", status_code=202)
def start(
    request: StartDiscovery,
    caller: Annotated[Caller, Depends(requires(Permission.PARTNERSHIP_WRITE))],
    workflow: Workflows,
) -> Response[DiscoveryStarted]:
    started = service.start(caller.settings, caller.context, request, workflow)
    return accepted(started, location=f"/v1/discoveries/{started.id}")


handler = entrypoint(app)
