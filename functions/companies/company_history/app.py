"""GET /v1/companies/{id}/history: the company's events from the event store, oldest first."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from shared.companies.model import CompanyHistory
from shared.companies.service import company_history
from shared.http import entrypoint, resolver
from shared.identity.guard import require
from shared.identity.roles import Permission
from shared.settings import get_settings

app = resolver()


@app.get("/v1/companies/<company_id>/history")
def history(
    company_id: Annotated[str, Path(min_length=1, max_length=500)],
    after: Annotated[int, Query(ge=0, description="only events after this version")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> CompanyHistory:
    settings = get_settings()
    require(settings, app.current_event.raw_event, Permission.COMPANY_READ)
    return company_history(settings, company_id, after=after, limit=limit)


handler = entrypoint(app, warm=get_settings)
