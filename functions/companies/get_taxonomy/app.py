"""GET /v1/taxonomy: the industry taxonomy, the codes of a company's `industry` and `sub_industries` (checked
on write) with their ru/en labels, and the complementary sub-industry pairs.

Public reference data, like the JWKS and the OpenAPI document: the web console's company form needs it
before sign-in too. The answer changes only with a deploy: cacheable for an hour, with an ETag; a request
whose If-None-Match names it is answered 304 without a body."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response

from shared.http import api, entrypoint
from shared.http.answers import JSON, ok
from shared.http.params import Header
from shared.taxonomy.published import TaxonomyView, etag, fresh, published

CACHE_CONTROL = "public, max-age=3600"

app = api()


@app.get("/v1/taxonomy")
def get(
    if_none_match: Annotated[
        str | None, Header(alias="If-None-Match", description="the ETag of a copy read before")
    ] = None,
) -> Response[TaxonomyView]:
    headers = {"ETag": etag(), "Cache-Control": CACHE_CONTROL}
    if fresh(if_none_match):
        # "" rather than None, as answers.no_content says; the answer's type is the 200's.
        not_modified: Response[Any] = Response(status_code=304, content_type=JSON, body="", headers=dict(headers))
        return not_modified
    return ok(published(), headers=headers)


handler = entrypoint(app)
