"""GET /v1/companies/{id}/partners: ranked partner suggestions with the per-criterion breakdown."""

from typing import Annotated

from shared.http import api, entrypoint
from shared.http.deps import PartnershipReader
from shared.http.params import Query
from shared.http.paths import CompanyKey
from shared.partnerships.model import SuggestionList
from shared.partnerships.service import partner_suggestions

app = api()


@app.get("/v1/companies/<company_id>/partners")
def suggest(
    company_id: CompanyKey,
    caller: PartnershipReader,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SuggestionList:
    return partner_suggestions(caller.settings, company_id, limit=limit)


handler = entrypoint(app)
