"""POST /v1/companies/{id}/restore: undo a soft delete (409 if its INN/OGRN was taken meanwhile)."""

from aws_lambda_powertools.event_handler import Response

from shared.companies.model import Company
from shared.companies.service import restore_company
from shared.http import api, entrypoint
from shared.http.answers import versioned
from shared.http.caches import Companies
from shared.http.deps import CompanyWriter, IfMatch
from shared.http.paths import CompanyKey

app = api()


@app.post("/v1/companies/<company_id>/restore")
def restore(
    company_id: CompanyKey,
    caller: CompanyWriter,
    version: IfMatch,
    cache: Companies,
) -> Response[Company]:
    return versioned(
        restore_company(caller.settings, company_id, caller.context, expected_version=version, cache=cache)
    )


handler = entrypoint(app)
