"""DELETE /v1/companies/{id}/partners/{partner_id}/dismiss: undo a dismissal; the partner may be suggested
again. 204 whether or not it was dismissed."""

from aws_lambda_powertools.event_handler import Response

from shared.http import api, entrypoint, no_content
from shared.http.deps import PartnershipWriter
from shared.http.paths import CompanyKey, PartnerKey
from shared.partnerships.feedback import undismiss

app = api()


@app.delete("/v1/companies/<company_id>/partners/<partner_id>/dismiss", status_code=204)
def restore_suggestion(company_id: CompanyKey, partner_id: PartnerKey, caller: PartnershipWriter) -> Response[str]:
    undismiss(caller.settings, company_id, partner_id, caller.context)
    return no_content()


handler = entrypoint(app)
