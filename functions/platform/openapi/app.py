"""GET /v1/openapi.json and GET /v1/docs: the whole API's OpenAPI 3.1 document and a page to read it.

The document is generated at build time from every HTTP function's models (`algoarts openapi`)
and shipped beside this handler, because in the cloud no function can import another's code.
"""

from functools import cache
from pathlib import Path

from aws_lambda_powertools.event_handler import Response

from shared.http import entrypoint, resolver

DOCS_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ALGORITHMIC ARTS API</title>
<link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="ui"></div><script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "openapi.json", dom_id: "#ui"});</script>
<noscript>The API description is at <a href="openapi.json">openapi.json</a>.</noscript></body></html>"""

app = resolver()


@cache
def document_text() -> str:
    return (Path(__file__).parent / "openapi.json").read_text("utf-8")


@app.get("/v1/openapi.json", include_in_schema=False)
def document() -> Response[str]:
    return Response(status_code=200, content_type="application/json", body=document_text())


@app.get("/v1/docs", include_in_schema=False)
def docs() -> Response[str]:
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=DOCS_PAGE)


handler = entrypoint(app)
