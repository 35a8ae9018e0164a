"""GET /v1/companies: the catalog with the seed's filters, sorting and cursor pagination, cached in Redis."""

from typing import Annotated

from shared.companies.model import CompanyListQuery, CompanyPage
from shared.companies.service import list_companies
from shared.http import api, entrypoint
from shared.http.caches import CompanyLists
from shared.http.deps import CompanyReader
from shared.http.params import Query

app = api()


@app.get("/v1/companies")
def list_(
    query: Annotated[CompanyListQuery, Query()],
    caller: CompanyReader,
    cache: CompanyLists,
) -> CompanyPage:
    return list_companies(caller.settings, query, cache)


handler = entrypoint(app)
