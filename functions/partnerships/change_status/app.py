"""POST /v1/partnerships/{id}/status: move it along the lifecycle; an invalid move is 409."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends

from shared.http import api, entrypoint
from shared.http.deps import Caller, requires
from shared.http.paths import PartnershipId
from shared.identity.roles import Permission
from shared.partnerships.model import Partnership, StatusChange
from shared.partnerships.service import change_status

app = api()


@app.post("/v1/partnerships/<partnership_id>/status")
def move(
    partnership_id: PartnershipId,
    change: StatusChange,
    caller: Annotated[Caller, Depends(requires(Permission.PARTNERSHIP_WRITE))],
) -> Partnership:
    return change_status(caller.settings, partnership_id, change.status, caller.context)


handler = entrypoint(app)
