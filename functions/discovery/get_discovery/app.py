"""GET /v1/discoveries/{id}: where a discovery run stands (step, scored candidates, draft, review, failures)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends

from shared.discovery import service
from shared.discovery.model import Discovery
from shared.http import api, entrypoint
from shared.http.deps import Caller, requires
from shared.http.paths import DiscoveryId
from shared.identity.roles import Permission

app = api()


@app.get("/v1/discoveries/<discovery_id>")
def get(
    discovery_id: DiscoveryId, caller: Annotated[Caller, Depends(requires(Permission.PARTNERSHIP_READ))]
) -> Discovery:
    return service.get(caller.settings, caller.principal, discovery_id)


handler = entrypoint(app)
