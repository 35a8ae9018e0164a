"""DELETE /v1/companies/{id}: soft delete (`deleted_at`); the company 404s until restored."""

from aws_lambda_powertools.event_handler import Response

from shared.companies.service import delete_company
from shared.http import api, entrypoint, no_content
from shared.http.caches import Companies
from shared.http.deps import CompanyWriter, IfMatch
from shared.http.paths import CompanyKey

app = api()


@app.delete("/v1/companies/<company_id>", status_code=204)
def delete(
    company_id: CompanyKey,
    caller: CompanyWriter,
    version: IfMatch,
    cache: Companies,
) -> Response[str]:
    delete_company(caller.settings, company_id, caller.context, expected_version=version, cache=cache)
    return no_content()


handler = entrypoint(app)
