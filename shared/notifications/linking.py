"""Linking a Telegram chat to a user: the deep link, the bot's webhook that binds the chat, and unlinking.

`create_link` answers `https://t.me/<bot>?start=<token>`: Telegram opens the bot, and pressing Start sends
`/start <token>` to our webhook (Telegram's deep linking: the parameter is up to 64 characters of
[A-Za-z0-9_-]). The token is random (secrets.token_urlsafe(24): 32 characters, 192 bits); only its sha256
is stored, so a database read does not yield a usable link. It is valid for 15 minutes and once.

The webhook is public (Telegram has no JWT). It is authenticated by the secret we gave setWebhook, which
Telegram sends back in `X-Telegram-Bot-Api-Secret-Token`, compared in constant time: a forged call is 401.
Everything else is answered 200, because Telegram re-sends an update on any other status and a re-sent
bad update is still bad: a message that is not `/start`, an unknown, used or expired token (the chat is
told so), an update that is not even JSON (logged).

Binding upserts `notification_settings` (chat id, linked_at, no disabled reason: linking again after the
user blocked the bot turns Telegram back on). A chat linked to another user moves to this one (the chat id
is unique): whoever holds the Telegram account decides where its messages come from.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from shared.errors import Unauthorized
from shared.logs import logger
from shared.notifications.model import TelegramLink
from shared.notifications.preferences import transaction

if TYPE_CHECKING:
    import psycopg

    from shared.settings import Settings

__all__ = [
    "LINKED_TEXT",
    "LINK_TTL",
    "STALE_LINK_TEXT",
    "bind_chat",
    "check_webhook_secret",
    "create_link",
    "handle_update",
    "token_hash",
    "unlink",
]

LINK_TTL = timedelta(minutes=15)
LINKED_TEXT = "Готово: уведомления ALGORITHMIC ARTS будут приходить сюда."
STALE_LINK_TEXT = (
    "Ссылка для подключения недействительна: она устарела или уже использована. "
    "Получите новую в настройках уведомлений ALGORITHMIC ARTS."
)


def token_hash(token: str) -> str:
    """What telegram_link_tokens stores of a token: its sha256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _db(conn: psycopg.Connection) -> Any:
    return cast(Any, conn)


# --- the signed-in user's side -----------------------------------------------------------------------------


def create_link(settings: Settings, user_id: str, *, now: datetime | None = None) -> TelegramLink:
    """POST /v1/notifications/telegram/link: a new one-time deep link to the bot for the caller."""
    token = secrets.token_urlsafe(24)
    expires_at = (now or datetime.now(UTC)) + LINK_TTL
    with transaction(settings) as conn:
        _db(conn).execute(
            "INSERT INTO telegram_link_tokens (token_hash, user_id, expires_at) VALUES (%s, %s, %s)",
            (token_hash(token), user_id, expires_at),
        )
    url = f"https://t.me/{settings.telegram_bot_username}?start={token}"
    return TelegramLink(url=url, expires_at=expires_at)


def unlink(settings: Settings, user_id: str) -> None:
    """DELETE /v1/notifications/telegram/link: the caller's chat forgotten (idempotent)."""
    with transaction(settings) as conn:
        _db(conn).execute(
            "UPDATE notification_settings SET telegram_chat_id = NULL, telegram_linked_at = NULL, "
            "telegram_disabled_reason = NULL, updated_at = NOW() WHERE user_id = %s",
            (user_id,),
        )


# --- Telegram's side: the webhook --------------------------------------------------------------------------


def _bot_token(settings: Settings) -> str:
    from shared.secrets import read_secret

    return read_secret(settings.telegram_bot_token_secret)


def check_webhook_secret(settings: Settings, given: str | None) -> None:
    """401 unless `given` is the webhook's secret token (derived from the bot token), in constant time."""
    from shared.notifications.telegram import webhook_secret

    expected = webhook_secret(_bot_token(settings))
    if not given or not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise Unauthorized(
            "the webhook's secret token is missing or wrong",
            field="X-Telegram-Bot-Api-Secret-Token",
            ru="Секретный токен вебхука отсутствует или неверен",
        )


def bind_chat(conn: psycopg.Connection, token: str, chat_id: int) -> str | None:
    """The token's user, now bound to the chat (the token spent), in the caller's transaction; None when the
    token is unknown, used or expired."""
    row = (
        _db(conn)
        .execute(
            "UPDATE telegram_link_tokens SET used_at = NOW() "
            "WHERE token_hash = %s AND used_at IS NULL AND expires_at > NOW() RETURNING user_id::text AS user_id",
            (token_hash(token),),
        )
        .fetchone()
    )
    if row is None:
        return None
    user_id = str(row["user_id"])
    db = _db(conn)
    db.execute(
        "UPDATE notification_settings SET telegram_chat_id = NULL, telegram_linked_at = NULL, updated_at = NOW() "
        "WHERE telegram_chat_id = %s AND user_id <> %s",
        (chat_id, user_id),
    )
    db.execute(
        """
        INSERT INTO notification_settings (user_id, telegram_chat_id, telegram_linked_at, telegram_disabled_reason)
        VALUES (%s, %s, NOW(), NULL)
        ON CONFLICT (user_id) DO UPDATE SET telegram_chat_id = EXCLUDED.telegram_chat_id,
            telegram_linked_at = NOW(), telegram_disabled_reason = NULL, updated_at = NOW()
        """,
        (user_id, chat_id),
    )
    return user_id


def _reply(settings: Settings, chat_id: int, text: str) -> None:
    """A message to the chat, best effort: the binding stands whether or not Telegram took the reply."""
    from shared.notifications.telegram import BotApi

    try:
        BotApi(settings.telegram_api_url, _bot_token(settings)).send_message(chat_id, text)
    except Exception as exc:
        logger.warning("telegram reply failed", extra={"chat_id": chat_id, "reason": type(exc).__name__})


def handle_update(settings: Settings, body: str | None) -> None:
    """One webhook update (the raw body). Binds the chat on a valid `/start <token>`; tells the chat when the
    token was bad; ignores (logs) everything else. Never raises for what Telegram sent."""
    from shared.notifications.telegram import parse_start

    try:
        update = json.loads(body or "")
    except ValueError:
        logger.warning("telegram update is not JSON: ignored")
        return
    if not isinstance(update, dict):
        logger.warning("telegram update is not an object: ignored")
        return
    start = parse_start(update)
    if start is None:
        logger.info("telegram update ignored", extra={"update_id": update.get("update_id")})
        return
    chat_id, token = start
    user_id = None
    if token:
        with transaction(settings) as conn:
            user_id = bind_chat(conn, token, chat_id)
    if user_id is None:
        logger.info("telegram /start with a bad token", extra={"chat_id": chat_id})
        _reply(settings, chat_id, STALE_LINK_TEXT)
        return
    logger.info("telegram chat linked", extra={"user_id": user_id})
    _reply(settings, chat_id, LINKED_TEXT)
