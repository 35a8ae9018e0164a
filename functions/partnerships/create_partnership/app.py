"""POST /v1/partnerships: a suggested partnership of the caller's company A with company B.

201 with Location for a new one; 200 with the existing one when the pair (in either order) has one."""

from aws_lambda_powertools.event_handler import Response

from shared.http import api, entrypoint
from shared.http.answers import ok
from shared.http.deps import PartnershipWriter
from shared.partnerships.model import Partnership, PartnershipCreate
from shared.partnerships.service import propose_partnership

app = api()


@app.post("/v1/partnerships", status_code=201)
def create(command: PartnershipCreate, caller: PartnershipWriter) -> Response[Partnership]:
    a, b = str(command.company_a_id), str(command.company_b_id)
    partnership, new = propose_partnership(caller.settings, a, b, caller.context)
    return ok(partnership, status=201 if new else 200, location=f"/v1/partnerships/{partnership.id}")


handler = entrypoint(app)
