"""POST /v1/partnerships/{id}/status: move it along the lifecycle; an invalid move is 409."""

from shared.http import api, entrypoint
from shared.http.deps import PartnershipWriter
from shared.http.paths import PartnershipId
from shared.partnerships.model import Partnership, StatusChange
from shared.partnerships.service import change_status

app = api()


@app.post("/v1/partnerships/<partnership_id>/status")
def move(
    partnership_id: PartnershipId,
    change: StatusChange,
    caller: PartnershipWriter,
) -> Partnership:
    return change_status(caller.settings, partnership_id, change.status, caller.context)


handler = entrypoint(app)
