"""POST /v1/companies: store the company and its `company.created` event in one transaction."""

from aws_lambda_powertools.event_handler import Response

from shared.companies.model import Company, CompanyCreate
from shared.companies.service import create_company
from shared.http import entrypoint, logger, resolver
from shared.identity.guard import origin_from_event, require
from shared.identity.roles import Permission
from shared.settings import get_settings

app = resolver()


@app.post("/v1/companies")
def create(command: CompanyCreate) -> Response[Company]:
    settings = get_settings()
    event = app.current_event.raw_event
    principal = require(settings, event, Permission.COMPANY_WRITE)
    company = create_company(
        settings,
        command,
        actor=principal.user_id,
        correlation_id=logger.get_correlation_id(),
        origin=origin_from_event(event),
    )
    return Response(
        status_code=201,
        content_type="application/json",
        body=company,
        headers={"Location": f"/v1/companies/{company.id}"},
    )


handler = entrypoint(app, warm=get_settings)
