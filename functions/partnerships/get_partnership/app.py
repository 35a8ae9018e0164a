"""GET /v1/partnerships/{id}: one partnership of the caller's companies (others: 403)."""

from shared.http import api, entrypoint
from shared.http.deps import PartnershipReader
from shared.http.paths import PartnershipId
from shared.partnerships.model import Partnership
from shared.partnerships.service import get_partnership

app = api()


@app.get("/v1/partnerships/<partnership_id>")
def get(partnership_id: PartnershipId, caller: PartnershipReader) -> Partnership:
    return get_partnership(caller.settings, partnership_id, caller.principal)


handler = entrypoint(app)
