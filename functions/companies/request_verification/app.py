"""POST /v1/companies/{id}/verify: queue a ЕГРЮЛ check of the company's INN (202; the result arrives as an event)."""

from aws_lambda_powertools.event_handler import Response

from shared.companies.model import VerificationRequested
from shared.companies.service import request_verification
from shared.http import api, entrypoint
from shared.http.answers import accepted
from shared.http.deps import CompanyWriter
from shared.http.paths import CompanyKey

app = api()


@app.post("/v1/companies/<company_id>/verify", status_code=202)
def verify(company_id: CompanyKey, caller: CompanyWriter) -> Response[VerificationRequested]:
    company = request_verification(caller.settings, company_id, caller.context)
    return accepted(VerificationRequested(company_id=company.id), location=f"/v1/companies/{company.id}")


handler = entrypoint(app)
