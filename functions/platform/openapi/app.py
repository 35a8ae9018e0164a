"""GET /v1/openapi.json and GET /v1/docs: the whole API's OpenAPI 3.1 document and a page to read it;
GET /v1/asyncapi.json: its event twin, the AsyncAPI 3.0 document of every Kafka topic and event.

The documents are generated at build time (`algoarts openapi`, `algoarts asyncapi`) from every HTTP
function's models and from the event registry, and shipped beside this handler, because in the cloud
no function can import another's code.
"""

from functools import cache
from pathlib import Path

from aws_lambda_powertools.event_handler import Response

from shared.http import api, entrypoint

DOCS_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ALGORITHMIC ARTS API</title>
<link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="ui"></div><script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "openapi.json", dom_id: "#ui"});</script>
<noscript>The API description is at <a href="openapi.json">openapi.json</a>.</noscript>
<p>Events (Kafka topics and messages): <a href="asyncapi.json">asyncapi.json</a> (AsyncAPI 3.0).</p></body></html>"""

app = api()


@cache
def document_text() -> str:
    return (Path(__file__).parent / "openapi.json").read_text("utf-8")


@app.get("/v1/openapi.json", include_in_schema=False)
def document() -> Response[str]:
    return Response(status_code=200, content_type="application/json", body=document_text())


@app.get("/v1/asyncapi.json", include_in_schema=False)
def events_document() -> Response[str]:
    return Response(
        status_code=200,
        content_type="application/json",
        body=(Path(__file__).parent / "asyncapi.json").read_text("utf-8"),
    )


@app.get("/v1/docs", include_in_schema=False)
def docs() -> Response[str]:
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=DOCS_PAGE)


handler = entrypoint(app)
