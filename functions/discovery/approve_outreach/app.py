"""POST /v1/outreach/{id}/approve: the BD manager approves the run's draft (optionally edited); the
waiting state machine continues to MarkContacted. 409 when already decided or expired."""

from shared.discovery import service
from shared.discovery.model import ApproveOutreach, Discovery
from shared.http import api, entrypoint
from shared.http.deps import PartnershipWriter
from shared.http.paths import DiscoveryId
from shared.http.workflows import Workflows

app = api()


@app.post("/v1/outreach/<discovery_id>/approve")
def approve(
    discovery_id: DiscoveryId,
    caller: PartnershipWriter,
    workflow: Workflows,
    edits: ApproveOutreach | None = None,
) -> Discovery:
    """Without a body the draft is approved as written."""
    return service.approve(caller.settings, caller.context, discovery_id, edits or ApproveOutreach(), workflow)


handler = entrypoint(app)
