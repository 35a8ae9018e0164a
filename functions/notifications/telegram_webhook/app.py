"""POST /v1/notifications/telegram/webhook (public: Telegram calls it, no JWT): the bot's updates.

The `X-Telegram-Bot-Api-Secret-Token` header must be the secret given to setWebhook (else 401). A
`/start <token>` from a deep link binds the chat to the token's user. Every other update, and any
malformed one, is answered 200 {"ok": true}: Telegram retries anything else, and a retry cannot fix it.
"""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Depends, Request

from shared.http import api, entrypoint
from shared.http.deps import SettingsDep
from shared.http.params import Header
from shared.notifications.linking import check_webhook_secret, handle_update

app = api()


def update_text(request: Request) -> str | None:
    """The raw body: parsed by the service, which answers a malformed one with 200 rather than 4xx."""
    body: str | None = request.resolved_event.decoded_body
    return body


@app.post("/v1/notifications/telegram/webhook")
def telegram_webhook(
    settings: SettingsDep,
    body: Annotated[str | None, Depends(update_text)],
    secret: Annotated[str | None, Header(alias="x-telegram-bot-api-secret-token")] = None,
) -> dict[str, Any]:
    check_webhook_secret(settings, secret)
    handle_update(settings, body)
    return {"ok": True}


handler = entrypoint(app)
