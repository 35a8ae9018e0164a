"""DELETE /v1/notifications/telegram/link: the caller's Telegram chat forgotten (nothing more is sent there).
Idempotent: 204 whether a chat was linked or not."""

from aws_lambda_powertools.event_handler import Response

from shared.http import api, entrypoint, no_content
from shared.http.deps import SignedIn
from shared.notifications.linking import unlink

app = api()


@app.delete("/v1/notifications/telegram/link", status_code=204)
def unlink_telegram(caller: SignedIn) -> Response[str]:
    unlink(caller.settings, caller.principal.user_id)
    return no_content()


handler = entrypoint(app)
