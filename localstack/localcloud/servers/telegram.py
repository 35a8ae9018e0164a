"""A local stand-in for the Telegram Bot API (``https://api.telegram.org/bot<token>/<method>``).

Why: notifications reach people through a Telegram bot, and linking a chat needs Telegram to call our
webhook; locally and in tests the real client (`shared.notifications.telegram.BotApi`) talks to this server
over a real socket instead. It speaks the Bot API's protocol as its reference describes it:

* every method at ``/bot<token>/<method>`` (method names case-insensitive), parameters as JSON, as an
  ``application/x-www-form-urlencoded`` body or in the query string (GET or POST);
* answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code", "description"[, "parameters":
  {"retry_after"}]}`` with the same HTTP status: a wrong token is 401 "Unauthorized", a path that is not
  ``/bot<token>/<method>`` (or an unknown method) 404 "Not Found";
* ``getMe``; ``sendMessage`` (``chat_id``, ``text``, ``parse_mode``: ``HTML`` is parsed the way Telegram's own
  parser (tdlib's ``parse_html``) does it, with its error texts: an unsupported tag or a bare ``<`` is
  ``400 Bad Request: can't parse entities: Unsupported start tag "x" at byte offset N``; the answer is the
  ``Message`` with the plain ``text`` and its ``entities``); ``setWebhook`` (``url``, ``secret_token``: 1-256
  of ``A-Za-z0-9_-``), ``getWebhookInfo``, ``deleteWebhook``, ``getUpdates`` (409 while a webhook is set);
* ``400 Bad Request: chat not found`` for a chat the bot never met, ``403 Forbidden: bot was blocked by the
  user`` for a chat that blocked it, ``400 Bad Request: message is too long`` past 4096 characters;
* the flood limits of the Bot FAQ: more than one message a second to one chat, or 30 a second in all, is
  ``429 Too Many Requests: retry after N`` with ``parameters.retry_after``.

Where it differs, on purpose: a webhook may be ``http://`` on a loopback address and any port (Telegram
wants HTTPS on 443, 80, 88 or 8443), and an update that the webhook refuses is not retried (its error shows
in getWebhookInfo). Like Telegram, a bare ``&`` that starts no entity is kept as text.

For tests and people (in process, or over HTTP with ``X-Fake-Admin-Key: <the bot token>``):

* ``add_chat(chat_id, first_name, username=)``, ``block(chat_id)``/``unblock``, ``fail_next(n, status,
  retry_after=)``, ``messages(chat_id=)`` (what was sent), ``reset()``;
* ``write(chat_id, text)``: the user writes to the bot. The Update (``update_id``, ``message``: ``message_id``,
  ``from``, ``chat``, ``date``, ``text``, ``entities``) is POSTed to the webhook with
  ``X-Telegram-Bot-Api-Secret-Token`` (or kept for getUpdates when none is set); an unknown chat is added.
* ``POST /_fake/script`` with one command: ``{"add_chat": {"id", "first_name", "username"}}``,
  ``{"block": id}``, ``{"unblock": id}``, ``{"fail": 429, "n": 1, "retry_after": 3}``, ``{"write": {"chat_id",
  "text", "first_name"?, "username"?}}`` or ``{"reset": true}``; the answer is the command's result as JSON
  (the chat; ``true``; for write ``{"update", "webhook_status", "error"}``), 400 for a command it does not
  know; ``GET /_fake/messages[?chat_id=ID]`` answers ``{"messages": [...]}``. 403 without the key.

Every accepted message is also appended as one JSON line to ``--log FILE`` (``tail -f`` it). The token is
never printed, logged or stored with a request.

Run: ``python -m localcloud.servers.telegram --port P --token-file F [--username algoarts_bot] [--log FILE]
[--chat ID:FIRST_NAME[:USERNAME] ...]``; prints ``READY <port>`` and serves until SIGTERM.
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import math
import re
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from localcloud.servers.standin import (
    StandInHTTPServer,
    ThreadedStandIn,
    configure_logging,
    read_secret,
    serve_until_signal,
)

LOG = logging.getLogger("telegram_fake")

HOST = "127.0.0.1"
MAX_BODY = 1024 * 1024
MAX_TEXT = 4096
ADMIN_SCRIPT = "/_fake/script"
ADMIN_MESSAGES = "/_fake/messages"
PER_CHAT_PER_SECOND = 1
GLOBAL_PER_SECOND = 30
WEBHOOK_TIMEOUT_S = 60.0  # a cold function behind the webhook may take a while
_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)$")
_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": status, "description"[, "parameters"]}``."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            answer["parameters"] = {"retry_after": self.retry_after}
        return answer


# -- Telegram's HTML (a port of the rules of tdlib's parse_html) ---------------------------------------------

_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "span", "pre", "code",
     "blockquote"}
)  # fmt: skip
_ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
    "span": "spoiler",
}  # fmt: skip
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n\f\v"


class ParseError(ValueError):
    """The text is not Telegram HTML; the message is Telegram's ("Unsupported start tag ...")."""


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """The character an HTML entity at ``text[pos] == '&'`` stands for and the position after it, or None when
    it is not one Telegram knows (then the '&' is plain text)."""
    end = pos + 1
    if text[end : end + 1] == "#":
        end += 1
        hexa = text[end : end + 1] == "x"
        end += hexa
        start = end
        digits = "0123456789abcdefABCDEF" if hexa else "0123456789"
        while end < len(text) and text[end] in digits:
            end += 1
        value = int(text[start:end], 16 if hexa else 10) if end > start else 0
        if value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(value)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        if name not in _NAMED:
            return None
        char = _NAMED[name]
    if text[end : end + 1] == ";":
        end += 1
    return char, end


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _link(url: str) -> str | None:
    """A text_link's URL as Telegram stores it (a missing scheme becomes http://), None if unusable."""
    url = url.strip()
    if not url or any(c in url for c in _SPACES):
        return None
    parts = urlsplit(url if "://" in url or url.startswith(("tg:", "mailto:")) else f"http://{url}")
    if parts.scheme in ("http", "https", "ton", "tg", "mailto") and (parts.netloc or parts.scheme != "http"):
        return parts.geturl() + ("/" if parts.scheme in ("http", "https") and not parts.path else "")
    return None


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int  # UTF-16 offset in the plain text
    start: int  # index in the plain text


def parse_html(html: str) -> tuple[str, list[dict[str, Any]]]:  # noqa: PLR0912, PLR0915 - one parser
    """The plain text and the MessageEntity list of a text with ``parse_mode=HTML``; `ParseError` with
    Telegram's description otherwise."""
    out: list[str] = []
    utf16 = 0
    entities: list[dict[str, Any]] = []
    stack: list[_Open] = []
    n = len(html)

    def byte(i: int) -> int:
        return len(html[:i].encode("utf-8"))

    def at(i: int) -> str:
        return html[i] if i < n else ""

    i = 0
    while i < n:
        c = html[i]
        if c == "&":
            decoded = _decode_entity(html, i)
            if decoded is not None:
                out.append(decoded[0])
                utf16 += _utf16_len(decoded[0])
                i = decoded[1]
                continue
        if c != "<":
            out.append(c)
            utf16 += _utf16_len(c)
            i += 1
            continue
        begin = i
        i += 1
        if at(i) != "/":
            while at(i) and at(i) not in _SPACES and at(i) != ">":
                i += 1
            if not at(i):
                raise ParseError(f"Unclosed start tag at byte offset {byte(begin)}")
            tag = html[begin + 1 : i].lower()
            if tag not in _TAGS:
                raise ParseError(f'Unsupported start tag "{tag}" at byte offset {byte(begin)}')
            argument = ""
            while at(i) != ">":
                while at(i) and at(i) in _SPACES:
                    i += 1
                if at(i) == ">":
                    break
                name_start = i
                while at(i) and at(i) not in _SPACES and at(i) not in "=>":
                    i += 1
                name = html[name_start:i]
                if not name:
                    raise ParseError(f'Empty attribute name in the tag "{tag}" at byte offset {byte(begin)}')
                while at(i) and at(i) in _SPACES:
                    i += 1
                if at(i) != "=":
                    if tag == "blockquote" and name.lower() == "expandable":
                        argument = "expandable"
                        continue
                    raise ParseError(
                        f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                        f"at byte offset {byte(begin)}"
                    )
                i += 1
                while at(i) and at(i) in _SPACES:
                    i += 1
                if not at(i):
                    raise ParseError(f'Unclosed start tag "{tag}" at byte offset {byte(begin)}')
                if at(i) not in "'\"":
                    token_start = i
                    while at(i) and (at(i).isascii() and (at(i).isalnum() or at(i) in ".-")):
                        i += 1
                    value = html[token_start:i].lower()
                    if at(i) and at(i) not in _SPACES and at(i) != ">":
                        raise ParseError(f"Unexpected end of name token at byte offset {byte(token_start)}")
                else:
                    quote = at(i)
                    i += 1
                    chars: list[str] = []
                    while at(i) and at(i) != quote:
                        if at(i) == "&":
                            decoded = _decode_entity(html, i)
                            if decoded is not None:
                                chars.append(decoded[0])
                                i = decoded[1]
                                continue
                        chars.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(chars)
                if not at(i):
                    raise ParseError(f"Unclosed start tag at byte offset {byte(begin)}")
                if tag == "a" and name == "href":
                    argument = value
                elif tag == "code" and name == "class" and value.startswith("language-"):
                    argument = value.removeprefix("language-")
                elif tag == "span" and name == "class" and value.startswith("tg-"):
                    argument = value.removeprefix("tg-")
            if tag == "span" and argument != "spoiler":
                raise ParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {byte(begin)}')
            stack.append(_Open(tag, argument, utf16, len(out)))
            i += 1  # the '>'
            continue
        # an end tag
        if not stack:
            raise ParseError(f"Unexpected end tag at byte offset {byte(begin)}")
        while at(i) and at(i) not in _SPACES and at(i) != ">":
            i += 1
        end_name = html[begin + 2 : i].lower()
        while at(i) and at(i) in _SPACES:
            i += 1
        if at(i) != ">":
            raise ParseError(f"Unclosed end tag at byte offset {byte(begin)}")
        i += 1
        top = stack.pop()
        if end_name and end_name != top.tag:
            raise ParseError(
                f'Unmatched end tag at byte offset {byte(begin)}, expected "</{top.tag}>", found "</{end_name}>"'
            )
        length = utf16 - top.offset
        if length <= 0:
            continue
        entity: dict[str, Any] = {"offset": top.offset, "length": length}
        if top.tag in _ENTITY_TYPES:
            entity["type"] = _ENTITY_TYPES[top.tag]
        elif top.tag == "blockquote":
            entity["type"] = "expandable_blockquote" if top.argument else "blockquote"
        elif top.tag == "a":
            url = _link(top.argument or "".join(out[top.start :]))
            if url is None:
                continue
            entity.update(type="text_link", url=url)
        elif top.tag == "pre":
            last = entities[-1] if entities else None
            same = last is not None and (last["offset"], last["length"]) == (top.offset, length)
            if last is not None and same and last["type"] == "code" and last.get("language"):
                last["type"] = "pre"
                continue
            entity["type"] = "pre"
        else:  # code
            last = entities[-1] if entities else None
            if last and last["type"] == "pre" and (last["offset"], last["length"]) == (top.offset, length):
                if top.argument:
                    last["language"] = top.argument
                continue
            entity["type"] = "code"
            if top.argument:
                entity["language"] = top.argument
        entities.append(entity)
    if stack:
        raise ParseError(f"Can't find end tag corresponding to start tag {stack[-1].tag}")
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


# -- state ----------------------------------------------------------------------------------------------------


@dataclass
class Chat:
    """A private chat with one user (its id is the user's id, as in Telegram)."""

    id: int
    first_name: str
    username: str | None = None
    blocked: bool = False

    def as_chat(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "first_name": self.first_name, "type": "private"}
        if self.username:
            chat["username"] = self.username
        return chat

    def as_user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        user["language_code"] = "ru"
        return user


@dataclass(frozen=True)
class SentMessage:
    """One message the bot sent: the plain text and entities Telegram made of it, and the HTML as sent."""

    message_id: int
    chat_id: int
    date: int
    text: str
    entities: list[dict[str, Any]]
    html: str
    parse_mode: str | None


@dataclass(frozen=True)
class WebhookResult:
    """What became of a simulated user message: the update and the webhook's HTTP status (None: no webhook,
    kept for getUpdates; 0: the webhook could not be reached)."""

    update: dict[str, Any]
    status: int | None
    error: str | None = None


@dataclass
class _Fault:
    status: int
    retry_after: int | None = None


@dataclass
class _Webhook:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _State:
    token: str
    username: str
    first_name: str
    log_file: Path | None
    per_chat_per_second: int
    global_per_second: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    chats: dict[int, Chat] = field(default_factory=dict)
    sent: list[SentMessage] = field(default_factory=list)
    failures: deque[_Fault] = field(default_factory=deque)
    recent: dict[int, deque[float]] = field(default_factory=dict)  # chat -> monotonic times of sends
    recent_all: deque[float] = field(default_factory=deque)
    next_message_id: dict[int, int] = field(default_factory=dict)
    next_update_id: int = 100_000_001
    pending: list[dict[str, Any]] = field(default_factory=list)
    webhook: _Webhook = field(default_factory=_Webhook)

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":", 1)[0]) if self.token.split(":", 1)[0].isdigit() else 0


class FakeTelegram(ThreadedStandIn):
    """The Bot API on 127.0.0.1 in a daemon thread: ``start()``, ``url`` (the ``telegram_api_url``), ``stop()``.

    ``url`` is the base URL to give `BotApi` (the real one is https://api.telegram.org).
    """

    def __init__(
        self,
        token: str,
        *,
        username: str = "algoarts_bot",
        first_name: str = "ALGORITHMIC ARTS",
        log_file: Path | None = None,
        per_chat_per_second: int = PER_CHAT_PER_SECOND,
        global_per_second: int = GLOBAL_PER_SECOND,
        port: int = 0,
    ) -> None:
        if not token:
            raise ValueError("the fake needs the bot token its clients must present")
        self._state = _State(token, username, first_name, log_file, per_chat_per_second, global_per_second)
        super().__init__("fake-telegram", port=port)

    def _make_server(self, address: tuple[str, int]) -> _Server:
        server = _Server(address, _Handler)
        server.fake = self
        return server

    @property
    def token(self) -> str:
        return self._state.token

    # -- scripting ----------------------------------------------------------------------------------------------

    def add_chat(self, chat_id: int, first_name: str, username: str | None = None) -> Chat:
        """A user who has started the bot: messages to ``chat_id`` are delivered from now on."""
        with self._state.lock:
            chat = self._state.chats.get(chat_id)
            if chat is None:
                chat = self._state.chats[chat_id] = Chat(chat_id, first_name, username)
            else:
                chat.first_name, chat.username = first_name, username
            return Chat(**asdict(chat))

    def block(self, chat_id: int, blocked: bool = True) -> None:
        """The user blocks the bot (403 on every later message) or, with ``blocked=False``, unblocks it."""
        with self._state.lock:
            chat = self._state.chats.get(chat_id)
            if chat is None:
                raise KeyError(chat_id)
            chat.blocked = blocked

    def unblock(self, chat_id: int) -> None:
        self.block(chat_id, False)

    def fail_next(self, n: int, status: int = 500, *, retry_after: int | None = None) -> None:
        """Answer the next ``n`` Bot API calls with ``status`` (Telegram's body; 429 carries ``retry_after``,
        default 1). Faults apply before the token is checked, as a proxy's would."""
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._state.lock:
            self._state.failures.extend(_Fault(status, retry_after) for _ in range(n))

    def messages(self, chat_id: int | None = None) -> list[SentMessage]:
        """What the bot sent (to one chat), oldest first."""
        with self._state.lock:
            return [m for m in self._state.sent if chat_id is None or m.chat_id == chat_id]

    def webhook_info(self) -> dict[str, Any]:
        with self._state.lock:
            return _webhook_info(self._state)

    def reset(self) -> None:
        """Forget faults, sent messages, rate counters and pending updates (chats and the webhook stay)."""
        with self._state.lock:
            self._state.failures.clear()
            self._state.sent.clear()
            self._state.recent.clear()
            self._state.recent_all.clear()
            self._state.pending.clear()

    def write(
        self, chat_id: int, text: str, *, first_name: str | None = None, username: str | None = None
    ) -> WebhookResult:
        """The user of ``chat_id`` writes ``text`` to the bot (an unknown user starts a chat first)."""
        state = self._state
        with state.lock:
            chat = state.chats.get(chat_id)
            if chat is None:
                chat = state.chats[chat_id] = Chat(chat_id, first_name or "User", username)
            message_id = state.next_message_id.get(chat_id, 1)
            state.next_message_id[chat_id] = message_id + 1
            update_id = state.next_update_id
            state.next_update_id += 1
            message: dict[str, Any] = {
                "message_id": message_id,
                "from": chat.as_user(),
                "chat": chat.as_chat(),
                "date": int(time.time()),
                "text": text,
            }
            command = re.match(r"^/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
            if command:
                message["entities"] = [{"offset": 0, "length": _utf16_len(command.group(0)), "type": "bot_command"}]
            update = {"update_id": update_id, "message": message}
            hook = _Webhook(**asdict(state.webhook))
            if not hook.url:
                state.pending.append(update)
                return WebhookResult(update, None)
        status, error = _post_update(hook, update)
        with state.lock:
            if status is None or not 200 <= status < 300:
                state.webhook.last_error_date = int(time.time())
                state.webhook.last_error_message = error or f"Wrong response from the webhook: {status}"
        return WebhookResult(update, status if status is not None else 0, error)

    def script(self, command: Any) -> Any:
        """Apply one admin command (see the module docstring); raises ValueError if it is not understood."""
        if not isinstance(command, dict):
            raise ValueError("a command is a JSON object")
        if command.get("reset") is True:
            self.reset()
            return True
        if isinstance(command.get("add_chat"), dict):
            spec = command["add_chat"]
            chat = self.add_chat(int(spec["id"]), str(spec.get("first_name") or "User"), spec.get("username"))
            return asdict(chat)
        for key, blocked in (("block", True), ("unblock", False)):
            if key in command:
                try:
                    self.block(int(command[key]), blocked)
                except KeyError:
                    raise ValueError("chat not found") from None
                return True
        if isinstance(command.get("fail"), int):
            n = command.get("n", 1)
            retry_after = command.get("retry_after")
            if not isinstance(n, int) or n < 0:
                raise ValueError("n must be a non-negative integer")
            self.fail_next(n, command["fail"], retry_after=int(retry_after) if retry_after is not None else None)
            return True
        if isinstance(command.get("write"), dict):
            spec = command["write"]
            result = self.write(
                int(spec["chat_id"]),
                str(spec["text"]),
                first_name=spec.get("first_name"),
                username=spec.get("username"),
            )
            return {"update": result.update, "webhook_status": result.status, "error": result.error}
        raise ValueError("unknown script command")

    # -- the Bot API's methods -------------------------------------------------------------------------------

    def call(self, method: str, params: Mapping[str, Any]) -> Any:
        """One authorised Bot API call; raises `ApiError` as Telegram answers it."""
        handler = _METHODS.get(method.lower())
        if handler is None:
            raise ApiError(404, "Not Found")
        return handler(self, params)

    def _get_me(self, params: Mapping[str, Any]) -> Any:
        state = self._state
        return {
            "id": state.bot_id,
            "is_bot": True,
            "first_name": state.first_name,
            "username": state.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _send_message(self, params: Mapping[str, Any]) -> Any:
        state = self._state
        raw_chat = params.get("chat_id")
        if raw_chat is None or str(raw_chat).strip() == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        html = params.get("text")
        if html is None or str(html).strip() == "":
            raise ApiError(400, "Bad Request: message text is empty")
        html = str(html)
        parse_mode = params.get("parse_mode")
        try:
            chat_id = int(str(raw_chat))
        except ValueError:
            raise ApiError(400, "Bad Request: chat not found") from None
        with state.lock:
            chat = state.chats.get(chat_id)
            blocked = chat.blocked if chat else False
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        entities: list[dict[str, Any]] = []
        if parse_mode in (None, ""):
            text = html
        elif str(parse_mode).lower() == "html":
            try:
                text, entities = parse_html(html)
            except ParseError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        else:
            raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode}")
        stripped = text.strip()
        if not stripped:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(stripped) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        with state.lock:
            self._take_send_slot(chat_id)
            message_id = state.next_message_id.get(chat_id, 1)
            state.next_message_id[chat_id] = message_id + 1
            sent = SentMessage(message_id, chat_id, int(time.time()), text, entities, html, parse_mode or None)
            state.sent.append(sent)
            self._log(sent)
            chat_json = chat.as_chat()
        answer: dict[str, Any] = {
            "message_id": message_id,
            "from": {"id": state.bot_id, "is_bot": True, "first_name": state.first_name, "username": state.username},
            "chat": chat_json,
            "date": sent.date,
            "text": text,
        }
        if entities:
            answer["entities"] = entities
        return answer

    def _take_send_slot(self, chat_id: int) -> None:
        """The flood limits (state.lock held): 429 with the seconds until a slot frees, else the send counts."""
        state = self._state
        now = time.monotonic()
        per_chat = state.recent.setdefault(chat_id, deque())
        for window in (per_chat, state.recent_all):
            while window and now - window[0] >= 1.0:
                window.popleft()
        waits = []
        if len(per_chat) >= state.per_chat_per_second:
            waits.append(per_chat[0] + 1.0 - now)
        if len(state.recent_all) >= state.global_per_second:
            waits.append(state.recent_all[0] + 1.0 - now)
        if waits:
            retry_after = max(1, math.ceil(max(waits)))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
        per_chat.append(now)
        state.recent_all.append(now)

    def _log(self, sent: SentMessage) -> None:
        if self._state.log_file is None:
            return
        line = json.dumps(asdict(sent), ensure_ascii=False)
        try:
            with self._state.log_file.open("a", encoding="utf-8") as log:
                log.write(line + "\n")
        except OSError as exc:
            LOG.warning("cannot append to the message log: %s", exc)

    def _set_webhook(self, params: Mapping[str, Any]) -> Any:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if url:
            parts = urlsplit(url)
            local = parts.scheme == "http" and parts.hostname in _LOOPBACK
            if not (parts.scheme == "https" and parts.hostname) and not local:
                raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if secret is not None and not _SECRET_TOKEN.match(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, str):
            try:
                allowed = json.loads(allowed)
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse allowed updates JSON object") from None
        with self._state.lock:
            was = self._state.webhook.url
            self._state.webhook = _Webhook(
                url=url,
                secret_token=str(secret) if secret is not None else None,
                max_connections=int(params.get("max_connections") or 40),
                allowed_updates=list(allowed) if isinstance(allowed, list) else None,
            )
            if _truthy(params.get("drop_pending_updates")):
                self._state.pending.clear()
        if not url:
            return _Described(True, "Webhook was deleted" if was else "Webhook is already deleted")
        return _Described(True, "Webhook is already set" if was == url else "Webhook was set")

    def _delete_webhook(self, params: Mapping[str, Any]) -> Any:
        with self._state.lock:
            was = self._state.webhook.url
            self._state.webhook = _Webhook()
            if _truthy(params.get("drop_pending_updates")):
                self._state.pending.clear()
        return _Described(True, "Webhook was deleted" if was else "Webhook is already deleted")

    def _get_webhook_info(self, params: Mapping[str, Any]) -> Any:
        with self._state.lock:
            return _webhook_info(self._state)

    def _get_updates(self, params: Mapping[str, Any]) -> Any:
        with self._state.lock:
            if self._state.webhook.url:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
                    "delete the webhook first",
                )
            offset = int(params.get("offset") or 0)
            if offset:
                self._state.pending = [u for u in self._state.pending if u["update_id"] >= offset]
            limit = max(1, min(100, int(params.get("limit") or 100)))
            return list(self._state.pending[:limit])


@dataclass(frozen=True)
class _Described:
    """A result that Telegram answers with a description beside it (setWebhook's "Webhook was set")."""

    result: Any
    description: str


_METHODS = {
    "getme": FakeTelegram._get_me,
    "sendmessage": FakeTelegram._send_message,
    "setwebhook": FakeTelegram._set_webhook,
    "deletewebhook": FakeTelegram._delete_webhook,
    "getwebhookinfo": FakeTelegram._get_webhook_info,
    "getupdates": FakeTelegram._get_updates,
}


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def _webhook_info(state: _State) -> dict[str, Any]:
    hook = state.webhook
    info: dict[str, Any] = {
        "url": hook.url,
        "has_custom_certificate": False,
        "pending_update_count": 0 if hook.url else len(state.pending),
    }
    if hook.url:
        info["max_connections"] = hook.max_connections
        if hook.allowed_updates is not None:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info


def _post_update(hook: _Webhook, update: Mapping[str, Any]) -> tuple[int | None, str | None]:
    """POST the update to the webhook as Telegram does; (HTTP status, error text) — status None if unreachable."""
    headers = {"Content-Type": "application/json"}
    if hook.secret_token:
        headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
    data = json.dumps(update, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(hook.url, data=data, headers=headers, method="POST")  # noqa: S310 - http(s) only
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:  # noqa: S310
            response.read()
            return int(response.status), None
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code, f"Wrong response from the webhook: {exc.code} {exc.reason}"
    except (OSError, ValueError) as exc:
        return None, f"Connection failed: {type(exc).__name__}"


# -- HTTP ------------------------------------------------------------------------------------------------------


class _Server(StandInHTTPServer):
    fake: FakeTelegram


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no delayed-ACK stall between them
    server_version = "fake-telegram/1"

    def log_message(self, format: str, *args: Any) -> None:
        # The request line holds the token: log the method name only.
        LOG.debug("%s %s", self.command, _PATH.sub(r"/bot***/\g<method>", self.path.split("?", 1)[0]))

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        raw = self._read_body()
        if raw is None:
            return
        fake = self.server.fake
        path, _, query = self.path.partition("?")
        if path.startswith("/_fake/"):
            self._admin(path, query, raw)
            return
        match = _PATH.match(path)
        if match is None:
            self._json(404, ApiError(404, "Not Found").body())
            return
        state = fake._state
        with state.lock:
            fault = state.failures.popleft() if state.failures else None
        if fault is not None:
            self._json(fault.status, _fault_error(fault).body())
            return
        token = match.group("token")
        if not hmac.compare_digest(token.encode(), state.token.encode()):
            error = ApiError(401, "Unauthorized") if _TOKEN_SHAPE.match(token) else ApiError(404, "Not Found")
            self._json(error.status, error.body())
            return
        try:
            params = self._params(query, raw)
            result = fake.call(match.group("method"), params)
        except ApiError as exc:
            self._json(exc.status, exc.body())
            return
        if isinstance(result, _Described):
            self._json(200, {"ok": True, "result": result.result, "description": result.description})
        else:
            self._json(200, {"ok": True, "result": result})

    def _params(self, query: str, raw: bytes) -> dict[str, Any]:
        params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        kind = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if not raw:
            return params
        try:
            if kind == "application/json":
                body = json.loads(raw)
                if not isinstance(body, dict):
                    raise ApiError(400, "Bad Request: the request body must be a JSON object")
                params.update(body)
            elif kind == "application/x-www-form-urlencoded":
                form = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
                params.update({k: v[-1] for k, v in form.items()})
            else:
                raise ApiError(400, f"Bad Request: unsupported Content-Type {kind or '(none)'}")
        except (ValueError, UnicodeDecodeError) as exc:
            if isinstance(exc, ApiError):
                raise
            raise ApiError(400, "Bad Request: can't parse request JSON object") from None
        return params

    def _admin(self, path: str, query: str, raw: bytes) -> None:
        fake = self.server.fake
        given = self.headers.get("X-Fake-Admin-Key") or ""
        if not hmac.compare_digest(given.encode(), fake.token.encode()):
            self._json(403, {"ok": False, "error_code": 403, "description": "admin key required"})
            return
        if path == ADMIN_MESSAGES and self.command == "GET":
            chat = parse_qs(query).get("chat_id")
            chat_id = int(chat[-1]) if chat and chat[-1].lstrip("-").isdigit() else None
            self._json(200, {"messages": [asdict(m) for m in fake.messages(chat_id)]})
            return
        if path == ADMIN_SCRIPT and self.command == "POST":
            try:
                result = fake.script(json.loads(raw or b"null"))
            except (ValueError, KeyError, TypeError) as exc:
                self._json(400, {"ok": False, "error_code": 400, "description": f"bad command: {exc}"})
                return
            self._json(200, result)
            return
        self._json(404, ApiError(404, "Not Found").body())

    def _read_body(self) -> bytes | None:
        value = self.headers.get("Content-Length") or "0"
        length = int(value) if value.isdigit() else -1
        if length < 0 or length > MAX_BODY:
            self._json(413, {"ok": False, "error_code": 413, "description": "Request Entity Too Large"}, close=True)
            return None
        return self.rfile.read(length) if length else b""

    def _json(self, status: int, body: Any, *, close: bool = False) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout fired)
            self.close_connection = True


def _fault_error(fault: _Fault) -> ApiError:
    if fault.status == 429:
        retry_after = fault.retry_after or 1
        return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
    return ApiError(fault.status, _DESCRIPTIONS.get(fault.status, "Internal Server Error"))


# -- process entry point --------------------------------------------------------------------------------------


def is_ready(port: int) -> bool:
    """True when something on 127.0.0.1:port answers like this server (404 for a path that is not a method)."""
    import http.client

    conn = http.client.HTTPConnection(HOST, port, timeout=1.0)
    try:
        conn.request("GET", "/")
        response = conn.getresponse()
        body = response.read()
        return response.status == 404 and b'"ok": false' in body
    except OSError:
        return False
    finally:
        conn.close()


def _chat_arg(value: str) -> tuple[int, str, str | None]:
    chat_id, _, rest = value.partition(":")
    first_name, _, username = rest.partition(":")
    try:
        return int(chat_id), first_name or "User", username or None
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected ID:FIRST_NAME[:USERNAME], got {value!r}") from None


def main(argv: list[str] | None = None) -> int:
    """Serve the fake until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(description="Local stand-in for the Telegram Bot API")
    parser.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--token-file", type=Path, required=True, help="file holding the bot token")
    parser.add_argument("--username", default="algoarts_bot", help="the bot's username (getMe)")
    parser.add_argument("--log", type=Path, help="append every sent message to this file, one JSON line each")
    parser.add_argument("--chat", type=_chat_arg, action="append", default=[], metavar="ID:FIRST_NAME[:USERNAME]",
                        help="a chat that has started the bot (repeatable)")  # fmt: skip
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    token = read_secret(parser, args.token_file)
    fake = FakeTelegram(token, username=args.username, log_file=args.log, port=args.port).start()
    for chat_id, first_name, username in args.chat:
        fake.add_chat(chat_id, first_name, username)
    LOG.info("bot @%s on %s/bot***/<method>, %d chat(s)%s", args.username, fake.url, len(args.chat),
             f", messages logged to {args.log}" if args.log else "")  # fmt: skip
    return serve_until_signal(fake.port, fake.stop, LOG)


if __name__ == "__main__":
    sys.exit(main())
