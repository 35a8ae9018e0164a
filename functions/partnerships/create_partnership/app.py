"""POST /v1/partnerships: a suggested partnership of the caller's company A with company B.

201 with Location for a new one; 200 with the existing one when the pair (in either order) has one."""

from aws_lambda_powertools.event_handler import Response

from shared.http import entrypoint, resolver
from shared.identity.guard import command_context, require
from shared.identity.roles import Permission
from shared.partnerships.model import Partnership, PartnershipCreate
from shared.partnerships.service import propose_partnership
from shared.settings import get_settings

app = resolver()


@app.post("/v1/partnerships")
def create(command: PartnershipCreate) -> Response[Partnership]:
    settings = get_settings()
    event = app.current_event.raw_event
    principal = require(settings, event, Permission.PARTNERSHIP_WRITE)
    ctx = command_context(event, principal)
    partnership, new = propose_partnership(settings, str(command.company_a_id), str(command.company_b_id), ctx)
    return Response(
        status_code=201 if new else 200,
        content_type="application/json",
        body=partnership,
        headers={"Location": f"/v1/partnerships/{partnership.id}"},
    )


handler = entrypoint(app, warm=get_settings)
