"""GET /.well-known/jwks.json: the public keys that verify our access tokens (retired keys excluded)."""

from typing import Any

from aws_lambda_powertools.event_handler import Response

from shared.http import entrypoint, resolver
from shared.identity.keys import key_set
from shared.settings import get_settings

app = resolver()


@app.get("/.well-known/jwks.json")
def jwks() -> Response[dict[str, Any]]:
    body = key_set(get_settings().jwt_keys_secret).jwks()
    return Response(
        status_code=200, content_type="application/json", body=body, headers={"Cache-Control": "public, max-age=300"}
    )


handler = entrypoint(app, warm=get_settings)
