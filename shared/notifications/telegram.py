"""Telegram: the Bot API client the Telegram sender and the linking webhook use.

Protocol (the Bot API reference): ``POST {base_url}/bot<token>/<method>`` with a JSON body; the answer is
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code", "description"[, "parameters":
{"retry_after"}]}``. Messages go with ``parse_mode=HTML``: only Telegram's few tags, and every ``&``, ``<``
and ``>`` of the text itself escaped (`escape_html`).

The token is part of the URL path, so it must never reach a log line or an exception: httpx logs every
request URL at INFO and puts it into its errors. Here the client only ever sees ``/bot***/<method>``; a
transport puts the real token into the path just before the request goes out, and the answers' texts are
scrubbed of it as well.

Failures map onto shared/notifications/errors.py:

* 429 -> `RetryableDelivery` with Telegram's ``retry_after``; 5xx, timeouts, refused connections, an answer
  that is not the Bot API's -> `RetryableDelivery`; a refused token (401, or 404 for a path Telegram does not
  know) is a configuration fault, also retryable so the message is not lost (dead-lettered, redrivable);
* 403 (the user blocked the bot, deactivated) and 400 "chat not found" -> `ChannelClosed`: the sender turns
  Telegram off for that user with the reason;
* any other 400 (bad HTML, too long) -> `PermanentDelivery`.

`send_notification` is what the sender function calls per queue message: it waits for a slot of the shared
Redis limiter (`throttle.TelegramLimiter`), sends, and after a 429 holds the chat for every instance.
`webhook_secret` derives setWebhook's ``secret_token`` from the bot token (nothing else to store or rotate),
`parse_start` reads the ``/start <payload>`` of a deep link from a webhook update.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from shared.notifications.errors import ChannelClosed, PermanentDelivery, RetryableDelivery

if TYPE_CHECKING:
    from shared.notifications.throttle import TelegramLimiter
    from shared.settings import Settings

__all__ = [
    "BotApi",
    "escape_html",
    "from_settings",
    "parse_start",
    "send_notification",
    "webhook_secret",
]

TOKEN_PLACEHOLDER = "bot***"  # noqa: S105 - what replaces the token in the path
MAX_REASON = 200
_WEBHOOK_CONTEXT = b"algoarts telegram webhook secret v1"
_START = re.compile(r"^/start(?:@[A-Za-z0-9_]+)?(?:[ \t]+(?P<payload>\S+))?\s*$")


class _TokenTransport(httpx.BaseTransport):
    """Puts the bot token into the path (``/bot***/`` -> ``/bot<token>/``) as the request leaves: httpx itself
    (its log lines, its exceptions, ``response.request``) only ever sees the placeholder."""

    def __init__(self, token: str, inner: httpx.BaseTransport) -> None:
        self._token = token
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.replace(f"/{TOKEN_PLACEHOLDER}/".encode(), f"/bot{self._token}/".encode(), 1)
        real = httpx.Request(
            request.method,
            request.url.copy_with(raw_path=path),
            headers=request.headers,
            stream=request.stream,
            extensions=request.extensions,
        )
        return self._inner.handle_request(real)

    def close(self) -> None:
        self._inner.close()


class BotApi:
    """The Bot API methods we use, over one pooled HTTP client (reuse the instance; `close()` it)."""

    def __init__(
        self, base_url: str, token: str, *, timeout: float = 10, transport: httpx.BaseTransport | None = None
    ) -> None:
        if not token:
            raise ValueError("the Telegram bot token is empty")
        self._token = token
        inner = transport or httpx.HTTPTransport(retries=0)
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            transport=_TokenTransport(token, inner),
            headers={"Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"BotApi({str(self._client.base_url)!r})"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- methods ---------------------------------------------------------------------------------------------

    def send_message(self, chat_id: int | str, html: str) -> int:
        """Send ``html`` (parse_mode HTML, already escaped) to the chat; the new message's id."""
        result = self._call(
            "sendMessage",
            {"chat_id": chat_id, "text": html, "parse_mode": "HTML", "link_preview_options": {"is_disabled": True}},
        )
        if not isinstance(result, dict) or not isinstance(result.get("message_id"), int):
            raise RetryableDelivery("telegram: sendMessage answered without a message_id")
        return int(result["message_id"])

    def set_webhook(
        self,
        url: str,
        secret_token: str,
        *,
        allowed_updates: tuple[str, ...] = ("message",),
        drop_pending: bool = False,
    ) -> None:
        """Have Telegram POST updates to ``url`` with ``X-Telegram-Bot-Api-Secret-Token: secret_token``."""
        self._call(
            "setWebhook",
            {
                "url": url,
                "secret_token": secret_token,
                "allowed_updates": list(allowed_updates),
                "drop_pending_updates": drop_pending,
            },
        )

    def delete_webhook(self) -> None:
        self._call("deleteWebhook", {})

    def get_webhook_info(self) -> dict[str, Any]:
        result = self._call("getWebhookInfo", {})
        return dict(result) if isinstance(result, dict) else {}

    def get_me(self) -> dict[str, Any]:
        """The bot's User (id, username ...): a cheap check that the token works."""
        result = self._call("getMe", {})
        return dict(result) if isinstance(result, dict) else {}

    # -- the wire ---------------------------------------------------------------------------------------------

    def _call(self, method: str, params: Mapping[str, Any]) -> Any:
        try:
            response = self._client.post(f"/{TOKEN_PLACEHOLDER}/{method}", json=dict(params))
        except httpx.TimeoutException:
            raise RetryableDelivery(f"telegram: {method} timed out") from None
        except httpx.HTTPError as exc:
            raise RetryableDelivery(f"telegram: {method} failed: {type(exc).__name__}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("ok"), bool):
            raise RetryableDelivery(f"telegram: {method} answered HTTP {response.status_code} without a Bot API body")
        if body["ok"]:
            return body.get("result")
        raise self._failure(method, response.status_code, body)

    def _failure(self, method: str, status: int, body: Mapping[str, Any]) -> Exception:
        raw_code = body.get("error_code")
        code = raw_code if isinstance(raw_code, int) else status
        description = self._scrub(str(body.get("description") or f"HTTP {status}"))
        raw_parameters = body.get("parameters")
        parameters: Mapping[str, Any] = raw_parameters if isinstance(raw_parameters, dict) else {}
        if code == 429:
            retry_after = parameters.get("retry_after")
            wait = float(retry_after) if isinstance(retry_after, int | float) else None
            return RetryableDelivery(f"telegram: {description}", retry_after=wait)
        if code == 403:
            return ChannelClosed(f"telegram: {description.removeprefix('Forbidden: ')}")
        if code == 400 and "chat not found" in description.lower():
            return ChannelClosed("telegram: chat not found")
        if code in (401, 404):
            return RetryableDelivery(f"telegram: the bot token or API URL was refused ({code} {description})")
        if code >= 500:
            return RetryableDelivery(f"telegram: {method} failed: {code} {description}")
        return PermanentDelivery(f"telegram: {description}")

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***")[:MAX_REASON]


def from_settings(settings: Settings, *, secret: Callable[[str], str] | None = None) -> BotApi:
    """The client for ``settings.telegram_api_url`` with the token read from its secret."""
    if secret is None:
        from shared.secrets import read_secret

        secret = read_secret
    return BotApi(settings.telegram_api_url, secret(settings.telegram_bot_token_secret))


def escape_html(text: str) -> str:
    """Text made safe for parse_mode HTML: the three entities Telegram requires (& first, then < and >)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webhook_secret(bot_token: str) -> str:
    """setWebhook's ``secret_token`` for this bot: HMAC-SHA256 of a fixed label under the bot token, base64url
    (43 characters of A-Za-z0-9_-, within the 1-256 Telegram allows). Derived, so every function instance
    computes the same value, and a new token gives a new secret."""
    digest = hmac.new(bot_token.encode("utf-8"), _WEBHOOK_CONTEXT, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def parse_start(update: Mapping[str, Any]) -> tuple[int, str] | None:
    """``(chat_id, payload)`` for a private-chat message ``/start <payload>`` (payload "" for a bare /start),
    None for any other update. A deep link ``t.me/<bot>?start=<payload>`` makes Telegram send exactly this."""
    message = update.get("message")
    if not isinstance(message, Mapping):
        return None
    chat = message.get("chat")
    text = message.get("text")
    if not isinstance(chat, Mapping) or not isinstance(text, str) or chat.get("type", "private") != "private":
        return None
    chat_id = chat.get("id")
    if not isinstance(chat_id, int) or isinstance(chat_id, bool):
        return None
    match = _START.match(text.strip())
    if match is None:
        return None
    return chat_id, match.group("payload") or ""


def send_notification(
    bot: BotApi,
    content: Mapping[str, Any],
    *,
    limiter: TelegramLimiter | None = None,
    max_wait: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Send one queued Telegram notification (``{"chat_id", "html"}``) within the flood limits; the message id.

    With a limiter, waits for the chat's slot (at most ``max_wait`` seconds; a later slot is
    `RetryableDelivery` with that wait, nothing sent), and a 429 holds the chat for ``retry_after`` on every
    instance before it propagates."""
    chat_id = content.get("chat_id")
    html = content.get("html")
    if not isinstance(chat_id, int | str) or isinstance(chat_id, bool) or not isinstance(html, str):
        raise PermanentDelivery("telegram: the queued content has no chat_id and html")
    if limiter is not None:
        slot = limiter.reserve(chat_id, max_wait=max_wait)
        if not slot.granted:
            raise RetryableDelivery(
                f"telegram: flood limit, next slot in {slot.wait:.1f} s", retry_after=max(1.0, slot.wait)
            )
        if slot.wait > 0:
            sleep(slot.wait)
    try:
        return bot.send_message(chat_id, html)
    except RetryableDelivery as exc:
        if limiter is not None and exc.retry_after:
            limiter.hold(chat_id, exc.retry_after)
        raise
