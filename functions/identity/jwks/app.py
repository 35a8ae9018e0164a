"""GET /.well-known/jwks.json: the public keys that verify our access tokens (retired keys excluded)."""

from typing import Any

from aws_lambda_powertools.event_handler import Response

from shared.http import api, entrypoint
from shared.http.answers import ok
from shared.http.deps import SettingsDep
from shared.identity.keys import key_set

app = api()


@app.get("/.well-known/jwks.json")
def jwks(settings: SettingsDep) -> Response[dict[str, Any]]:
    keys = key_set(settings.jwt_keys_secret).jwks()
    return ok(keys, headers={"Cache-Control": "public, max-age=300"})


handler = entrypoint(app)
