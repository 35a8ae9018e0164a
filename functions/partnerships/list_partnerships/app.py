"""GET /v1/partnerships: the caller's companies' partnerships, newest first, by status."""

from typing import Annotated

from shared.http import api, entrypoint
from shared.http.deps import PartnershipReader
from shared.http.params import Query
from shared.partnerships.model import PartnershipListQuery, PartnershipPage
from shared.partnerships.service import list_partnerships

app = api()


@app.get("/v1/partnerships")
def list_(
    query: Annotated[PartnershipListQuery, Query()],
    caller: PartnershipReader,
) -> PartnershipPage:
    return list_partnerships(caller.settings, caller.principal, query)


handler = entrypoint(app)
