"""GET /v1/companies/{id}/history: the company's events from the event store, oldest first."""

from typing import Annotated

from shared.companies.model import CompanyHistory
from shared.companies.service import company_history
from shared.http import api, entrypoint
from shared.http.deps import CompanyReader
from shared.http.params import Query
from shared.http.paths import CompanyKey

app = api()


@app.get("/v1/companies/<company_id>/history")
def history(
    company_id: CompanyKey,
    caller: CompanyReader,
    after: Annotated[int, Query(ge=0, description="only events after this version")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> CompanyHistory:
    return company_history(caller.settings, company_id, after=after, limit=limit)


handler = entrypoint(app)
