"""POST /v1/notifications/telegram/link: a one-time deep link to the bot (valid 15 minutes); pressing Start
in Telegram binds that chat to the caller (the bot's webhook, telegram_webhook)."""

from aws_lambda_powertools.event_handler import Response

from shared.http import api, entrypoint
from shared.http.answers import ok
from shared.http.deps import SignedIn
from shared.notifications.linking import create_link
from shared.notifications.model import TelegramLink

app = api()


@app.post("/v1/notifications/telegram/link", status_code=201)
def link_telegram(caller: SignedIn) -> Response[TelegramLink]:
    return ok(create_link(caller.settings, caller.principal.user_id), status=201)


handler = entrypoint(app)
