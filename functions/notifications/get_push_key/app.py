"""GET /v1/notifications/push/key (public): the VAPID public key a page passes to
`pushManager.subscribe({applicationServerKey})` before it can subscribe."""

from aws_lambda_powertools.event_handler import Response

from shared.http import api, entrypoint
from shared.http.answers import ok
from shared.http.deps import SettingsDep
from shared.notifications.model import PushKey
from shared.notifications.push_subscriptions import push_key

app = api()


@app.get("/v1/notifications/push/key")
def get_push_key(settings: SettingsDep) -> Response[PushKey]:
    return ok(push_key(settings), headers={"Cache-Control": "public, max-age=300"})


handler = entrypoint(app)
