"""POST /v1/companies/{id}/partners/{partner_id}/dismiss: the BD manager dismisses a suggested partner; it
is never suggested to the company again (until undone), and counts against such pairs in the ranking."""

from shared.http import api, entrypoint
from shared.http.deps import PartnershipWriter
from shared.http.paths import CompanyKey, PartnerKey
from shared.partnerships.feedback import Dismissal, DismissSuggestion, dismiss

app = api()


@app.post("/v1/companies/<company_id>/partners/<partner_id>/dismiss")
def dismiss_suggestion(
    company_id: CompanyKey,
    partner_id: PartnerKey,
    caller: PartnershipWriter,
    request: DismissSuggestion | None = None,
) -> Dismissal:
    """The partner is not suggested to the company again; the body's reason is optional. Dismissing again
    changes nothing and returns the first dismissal."""
    reason = request.reason if request else None
    return dismiss(caller.settings, company_id, partner_id, caller.context, reason=reason)


handler = entrypoint(app)
