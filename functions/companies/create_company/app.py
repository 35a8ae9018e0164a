"""POST /v1/companies: store the company and its `company.created` event in one transaction."""

from aws_lambda_powertools.event_handler import Response

from shared.companies.model import Company, CompanyCreate
from shared.companies.service import create_company
from shared.http import entrypoint, logger, resolver
from shared.settings import get_settings

app = resolver()


@app.post("/v1/companies")
def create(command: CompanyCreate) -> Response[Company]:
    company = create_company(get_settings(), command, correlation_id=logger.get_correlation_id())
    return Response(
        status_code=201,
        content_type="application/json",
        body=company,
        headers={"Location": f"/v1/companies/{company.id}"},
    )


handler = entrypoint(app, warm=get_settings)
