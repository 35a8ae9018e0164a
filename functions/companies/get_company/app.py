"""GET /v1/companies/{id}: a company by id or slug from the Redis cache or Postgres; former slugs redirect.

Each read counts a view in Redis (`view_count` in the answer includes it; FlushViewCountsFunction
writes the totals to Postgres)."""

from aws_lambda_powertools.event_handler import Response

from shared.companies.model import Company
from shared.companies.service import get_company
from shared.companies.store import is_uuid
from shared.companies.views import count_view
from shared.http import MovedPermanently, api, entrypoint
from shared.http.answers import versioned
from shared.http.caches import Companies, Views
from shared.http.deps import CompanyReader
from shared.http.paths import CompanyKey

app = api()


@app.get("/v1/companies/<company_id>")
def get(
    company_id: CompanyKey,
    caller: CompanyReader,
    cache: Companies,
    views: Views,
) -> Response[Company]:
    company = get_company(caller.settings, company_id, cache)
    if not is_uuid(company_id) and company_id != company.slug:
        # A former slug: old links keep working. A relative reference resolves against whatever prefix
        # the gateway serves the API under (a stage, a custom domain path).
        raise MovedPermanently(company.slug)
    return versioned(count_view(views, company))


handler = entrypoint(app)
