"""POST /v1/outreach/{id}/reject: the BD manager rejects the run's draft with a reason; the run ends
`rejected`. 409 when already decided or expired."""

from shared.discovery import service
from shared.discovery.model import Discovery, RejectOutreach
from shared.http import api, entrypoint
from shared.http.deps import PartnershipWriter
from shared.http.paths import DiscoveryId
from shared.http.workflows import Workflows

app = api()


@app.post("/v1/outreach/<discovery_id>/reject")
def reject(
    discovery_id: DiscoveryId,
    request: RejectOutreach,
    caller: PartnershipWriter,
    workflow: Workflows,
) -> Discovery:
    return service.reject(caller.settings, caller.context, discovery_id, request, workflow)


handler = entrypoint(app)
