"""POST /v1/companies/{id}/verify: queue a ЕГРЮЛ check of the company's INN (202; the result arrives as an event)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from shared.companies.model import VerificationRequested
from shared.companies.service import check_verifiable
from shared.companies.verification import verification_request
from shared.http import entrypoint, resolver
from shared.identity.guard import command_context, require
from shared.identity.roles import Permission
from shared.queues import send_json
from shared.settings import get_settings

app = resolver()


@app.post("/v1/companies/<company_id>/verify")
def verify(company_id: Annotated[str, Path(min_length=1, max_length=500)]) -> Response[VerificationRequested]:
    settings = get_settings()
    event = app.current_event.raw_event
    ctx = command_context(event, require(settings, event, Permission.COMPANY_WRITE))
    company = check_verifiable(settings, company_id, ctx)
    send_json(settings.require("verification_queue_url"), verification_request(company, ctx.correlation_id))
    return Response(
        status_code=202,
        content_type="application/json",
        body=VerificationRequested(company_id=company.id),
        headers={"Location": f"/v1/companies/{company.id}"},
    )


handler = entrypoint(app, warm=get_settings)
