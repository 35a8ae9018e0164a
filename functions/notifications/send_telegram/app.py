"""The Telegram queue -> one message per delivery through the Bot API (shared.notifications.telegram), HTML
as the templates render it, within the flood limits on every instance (a Redis limiter: one message a second
per chat, about 30 a second in all; a 429's retry_after holds the chat). A duplicate queue message sends
nothing; a 429 or an outage is retried after the wait (shared.notifications.sending); a 403 (the user blocked
the bot) or a chat Telegram no longer knows turns the channel off for that user with the reason (deliver)."""

from functools import cache
from typing import TYPE_CHECKING, Any

from shared.db import connection
from shared.notifications.deliver import Outcome, deliver
from shared.notifications.sender_function import sender
from shared.notifications.throttle import TelegramLimiter
from shared.settings import get_settings

if TYPE_CHECKING:
    from shared.notifications.telegram import BotApi


@cache
def bot() -> "BotApi":
    """One pooled client per instance (the token read from its secret on the first message; httpx imported
    then, not at cold start)."""
    from shared.notifications.telegram import from_settings

    return from_settings(get_settings())


@cache
def limiter() -> TelegramLimiter:
    from shared.cache import redis_client  # (shared.cache brings the company model: not at cold start)

    return TelegramLimiter(redis_client(get_settings().redis_url))


def send_one(delivery_id: str, dedup_key: str) -> Outcome:
    settings = get_settings()

    def send(content: dict[str, Any]) -> None:
        from shared.notifications.telegram import send_notification

        send_notification(bot(), content, limiter=limiter())

    return deliver(connection(settings.database_url), settings, delivery_id, send)


handler = sender("telegram", send_one)
