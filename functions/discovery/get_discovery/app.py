"""GET /v1/discoveries/{id}: where a discovery run stands (step, scored candidates, draft, review, failures)."""

from shared.discovery import service
from shared.discovery.model import Discovery
from shared.http import api, entrypoint
from shared.http.deps import PartnershipReader
from shared.http.paths import DiscoveryId

app = api()


@app.get("/v1/discoveries/<discovery_id>")
def get(discovery_id: DiscoveryId, caller: PartnershipReader) -> Discovery:
    return service.get(caller.settings, caller.principal, discovery_id)


handler = entrypoint(app)
