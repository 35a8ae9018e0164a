"""PATCH /v1/partnerships/{id}: record outcomes (deal_value, revenue_generated, both ≥ 0)."""

from shared.http import api, entrypoint
from shared.http.deps import PartnershipWriter
from shared.http.paths import PartnershipId
from shared.partnerships.model import OutcomesPatch, Partnership
from shared.partnerships.service import record_outcomes

app = api()


@app.patch("/v1/partnerships/<partnership_id>")
def update(
    partnership_id: PartnershipId,
    patch: OutcomesPatch,
    caller: PartnershipWriter,
) -> Partnership:
    return record_outcomes(caller.settings, partnership_id, patch, caller.context)


handler = entrypoint(app)
