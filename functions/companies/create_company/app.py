"""POST /v1/companies: a new company (201 with Location and ETag); a real INN is verified in the background."""

from aws_lambda_powertools.event_handler import Response

from shared.companies.model import Company, CompanyCreate
from shared.companies.service import create_company
from shared.http import api, entrypoint
from shared.http.answers import versioned
from shared.http.caches import Companies
from shared.http.deps import CompanyWriter

app = api()


@app.post("/v1/companies", status_code=201)
def create(
    command: CompanyCreate,
    caller: CompanyWriter,
    cache: Companies,
) -> Response[Company]:
    company = create_company(caller.settings, command, caller.context, cache=cache)
    return versioned(company, status=201, location=f"/v1/companies/{company.id}")


handler = entrypoint(app)
