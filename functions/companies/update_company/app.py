"""PATCH /v1/companies/{id}: change some fields; `If-Match` with a stale version gets 409."""

from aws_lambda_powertools.event_handler import Response

from shared.companies.model import Company, CompanyPatch
from shared.companies.service import update_company
from shared.http import api, entrypoint
from shared.http.answers import versioned
from shared.http.caches import Companies
from shared.http.deps import CompanyWriter, IfMatch
from shared.http.paths import CompanyKey

app = api()


@app.patch("/v1/companies/<company_id>")
def update(
    company_id: CompanyKey,
    patch: CompanyPatch,
    caller: CompanyWriter,
    version: IfMatch,
    cache: Companies,
) -> Response[Company]:
    company = update_company(caller.settings, company_id, patch, caller.context, expected_version=version, cache=cache)
    return versioned(company)


handler = entrypoint(app)
