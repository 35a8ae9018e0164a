"""POST /v1/discoveries: start the partner-discovery chain for the caller's company (202 {id, status})."""

from aws_lambda_powertools.event_handler import Response

from shared.discovery import service
from shared.discovery.model import DiscoveryStarted, StartDiscovery
from shared.http import api, entrypoint
from shared.http.answers import accepted
from shared.http.deps import PartnershipWriter
from shared.http.workflows import Workflows

app = api()


@app.post("/v1/discoveries", status_code=202)
def start(
    request: StartDiscovery,
    caller: PartnershipWriter,
    workflow: Workflows,
) -> Response[DiscoveryStarted]:
    started = service.start(caller.settings, caller.context, request, workflow)
    return accepted(started, location=f"/v1/discoveries/{started.id}")


handler = entrypoint(app)
