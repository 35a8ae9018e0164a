"""The Telegram channel against the Bot API stand-in, over real sockets, and its limiter on the real Redis.

* a message to a known chat lands, as Telegram would keep it (plain text and entities); escaped text with
  ``<``, ``&`` and ``>`` arrives as written, a raw ``<x>`` is refused for good with Telegram's words;
* 429 carries ``retry_after``; a blocked bot and an unknown chat close the channel; 5xx is retryable;
* a wrong token is refused and never appears in the exception or in any log line (httpx logs URLs);
* setWebhook + a user writing ``/start <payload>`` reaches a local receiver with the secret header, and
  ``parse_start`` reads it back; a receiver that refuses shows in getWebhookInfo;
* the Redis limiter spaces sends to one chat by more than a second (the strict stand-in never answers
  429), keeps any 31 sends more than a second apart overall, gives up past ``max_wait``, and a 429 holds
  the chat for every instance;
* the stand-in runs as a process: READY, admin script over HTTP (403 without the key), JSON-lines log.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from localcloud.servers.telegram import FakeTelegram
from shared.cache import redis_client
from shared.notifications.errors import ChannelClosed, PermanentDelivery, RetryableDelivery
from shared.notifications.telegram import (
    BotApi,
    escape_html,
    parse_start,
    send_notification,
    webhook_secret,
)
from shared.notifications.throttle import TelegramLimiter
from support import ROOT

pytestmark = pytest.mark.integration

TOKEN = f"{secrets.randbelow(10**9) + 10**9}:{secrets.token_urlsafe(26)}"


def _chat() -> int:
    return 100_000_000 + secrets.randbelow(10**8)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(TOKEN, username="algoarts_test_bot") as server:
        yield server


@pytest.fixture
def bot(fake: FakeTelegram) -> Iterator[BotApi]:
    fake.reset()
    with BotApi(fake.url, TOKEN, timeout=5) as client:
        yield client


@pytest.fixture
def limiter(redis_url: str) -> TelegramLimiter:
    return TelegramLimiter(redis_client(redis_url), prefix=f"test:tg:{uuid.uuid4().hex}")


def test_a_message_to_a_known_chat_lands(fake: FakeTelegram, bot: BotApi) -> None:
    chat = _chat()
    fake.add_chat(chat, "Иван", "ivan")
    message_id = bot.send_message(
        chat, '<b>Черновик ждёт проверки</b>\nОткройте: <a href="https://app.algoarts.ru/d/1">ссылка</a>'
    )
    [sent] = fake.messages(chat)
    assert sent.message_id == message_id
    assert sent.text == "Черновик ждёт проверки\nОткройте: ссылка"
    assert {"type": "bold", "offset": 0, "length": 22} in sent.entities
    assert {"type": "text_link", "offset": 33, "length": 6, "url": "https://app.algoarts.ru/d/1"} in sent.entities
    assert bot.get_me()["username"] == "algoarts_test_bot"


def test_escaped_text_arrives_as_written_and_raw_markup_is_refused(fake: FakeTelegram, bot: BotApi) -> None:
    chat = _chat()
    fake.add_chat(chat, "Анна")
    name = 'ООО "Ромашка" <Premium> & Co > 2'
    bot.send_message(chat, f"Компания <b>{escape_html(name)}</b> ответила")
    [sent] = fake.messages(chat)
    assert sent.text == f"Компания {name} ответила"
    with pytest.raises(PermanentDelivery) as info:
        bot.send_message(chat, f"Компания <b>{name}</b>")  # the same name, unescaped
    assert not isinstance(info.value, ChannelClosed)
    offset = len(f"Компания <b>{name.split('<', maxsplit=1)[0]}".encode())  # Telegram counts bytes of UTF-8
    assert (
        info.value.reason
        == f'telegram: Bad Request: can\'t parse entities: Unsupported start tag "premium" at byte offset {offset}'
    )
    with pytest.raises(PermanentDelivery, match=r'Unsupported start tag \\?"x\\?"'):
        bot.send_message(chat, "<x>тег</x>")
    with pytest.raises(PermanentDelivery, match="message is too long"):
        bot.send_message(chat, "я" * 4097)
    assert len(fake.messages(chat)) == 1


def test_429_carries_retry_after_and_5xx_is_retryable(fake: FakeTelegram, bot: BotApi) -> None:
    chat = _chat()
    fake.add_chat(chat, "Олег")
    fake.fail_next(1, 429, retry_after=7)
    with pytest.raises(RetryableDelivery) as info:
        bot.send_message(chat, "раз")
    assert info.value.retry_after == 7
    assert info.value.reason == "telegram: Too Many Requests: retry after 7"
    fake.fail_next(1, 502)
    with pytest.raises(RetryableDelivery) as failed:
        bot.send_message(chat, "два")
    assert failed.value.retry_after is None and "502" in failed.value.reason
    # Telegram's own flood limit: a second message to the chat within a second.
    bot.send_message(chat, "три")
    with pytest.raises(RetryableDelivery) as flood:
        bot.send_message(chat, "четыре")
    assert flood.value.retry_after == 1
    assert [m.text for m in fake.messages(chat)] == ["три"]


def test_a_blocked_bot_or_an_unknown_chat_closes_the_channel(fake: FakeTelegram, bot: BotApi) -> None:
    chat = _chat()
    fake.add_chat(chat, "Пётр")
    bot.send_message(chat, "до блокировки")
    fake.block(chat)
    with pytest.raises(ChannelClosed) as blocked:
        bot.send_message(chat, "после")
    assert blocked.value.reason == "telegram: bot was blocked by the user"
    with pytest.raises(ChannelClosed) as unknown:
        bot.send_message(_chat(), "кому-то")
    assert unknown.value.reason == "telegram: chat not found"
    assert [m.text for m in fake.messages(chat)] == ["до блокировки"]


def test_a_wrong_token_is_refused_and_never_shown(
    fake: FakeTelegram, caplog: pytest.LogCaptureFixture, closed_port: int
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = f"{secrets.randbelow(10**9) + 10**9}:{secrets.token_urlsafe(26)}"
    chat = _chat()
    fake.add_chat(chat, "Ира")
    with BotApi(fake.url, wrong, timeout=5) as bad, pytest.raises(RetryableDelivery) as info:
        bad.send_message(chat, "x")
    assert "401" in info.value.reason
    with BotApi(f"http://127.0.0.1:{closed_port}", wrong, timeout=2) as down, pytest.raises(RetryableDelivery) as gone:
        down.get_me()
    with BotApi(fake.url, TOKEN, timeout=5) as good:
        good.send_message(chat, "y")  # a successful call logs its URL too (httpx, INFO)
        shown = repr(good)
    assert "HTTP Request: POST" in caplog.text  # the log that would have carried the token was written
    texts = [str(info.value), repr(info.value), str(gone.value), repr(gone.value), shown, caplog.text]
    for text in texts:
        assert wrong not in text and TOKEN not in text
        assert wrong.split(":")[1] not in text and TOKEN.split(":")[1] not in text
    assert gone.value.__cause__ is None and gone.value.__suppress_context__  # httpx's error is not chained


class _Receiver(BaseHTTPRequestHandler):
    """Our webhook, as far as Telegram can tell: records each POST, answers the status it is told to."""

    server: _ReceiverServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length))
        self.server.received.append((dict(self.headers.items()), body))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


class _ReceiverServer(ThreadingHTTPServer):
    daemon_threads = True
    received: list[tuple[dict[str, str], Any]]
    status: int


@pytest.fixture
def receiver() -> Iterator[_ReceiverServer]:
    server = _ReceiverServer(("127.0.0.1", 0), _Receiver)
    server.received = []
    server.status = 200
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_set_webhook_then_start_reaches_the_receiver_with_the_secret(
    fake: FakeTelegram, bot: BotApi, receiver: _ReceiverServer
) -> None:
    url = f"http://127.0.0.1:{receiver.server_address[1]}/v1/notifications/telegram/webhook"
    secret = webhook_secret(TOKEN)
    assert secret == webhook_secret(TOKEN) and secret != webhook_secret(TOKEN + "x")
    assert 1 <= len(secret) <= 256 and all(c.isalnum() or c in "_-" for c in secret)
    bot.set_webhook(url, secret)
    try:
        assert bot.get_webhook_info()["url"] == url
        chat = _chat()
        payload = secrets.token_hex(32)
        result = fake.write(chat, f"/start {payload}", first_name="Мария", username="maria")
        assert result.status == 200
        [(headers, update)] = receiver.received
        assert headers["X-Telegram-Bot-Api-Secret-Token"] == secret
        assert update == result.update
        assert update["message"]["chat"] == {"id": chat, "first_name": "Мария", "type": "private", "username": "maria"}
        assert parse_start(update) == (chat, payload)
        # The chat is known now: the bot can answer it.
        bot.send_message(chat, "Telegram подключён")
        receiver.status = 401
        refused = fake.write(chat, "/start")
        assert refused.status == 401
        assert parse_start(refused.update) == (chat, "")
        assert "401" in bot.get_webhook_info()["last_error_message"]
    finally:
        bot.delete_webhook()
    assert bot.get_webhook_info()["url"] == ""


def test_parse_start_reads_only_a_private_start() -> None:
    chat = {"id": 5, "type": "private", "first_name": "A"}
    assert parse_start({"update_id": 1, "message": {"chat": chat, "text": "/start abc"}}) == (5, "abc")
    assert parse_start({"update_id": 1, "message": {"chat": chat, "text": "/start@algoarts_bot abc"}}) == (5, "abc")
    assert parse_start({"update_id": 1, "message": {"chat": chat, "text": "/help"}}) is None
    assert parse_start({"update_id": 1, "message": {"chat": chat, "text": "/start a b"}}) is None
    assert parse_start({"update_id": 1, "message": {"chat": {**chat, "type": "group"}, "text": "/start a"}}) is None
    assert parse_start({"update_id": 1, "edited_message": {"chat": chat, "text": "/start a"}}) is None
    assert parse_start({"update_id": 1, "message": {"chat": {"id": "5"}, "text": "/start a"}}) is None


def test_the_limiter_spaces_sends_to_one_chat(fake: FakeTelegram, bot: BotApi, limiter: TelegramLimiter) -> None:
    chat = _chat()
    fake.add_chat(chat, "Лена")
    started = time.monotonic()
    times = []
    for n in range(3):
        send_notification(bot, {"chat_id": chat, "html": f"сообщение {n}"}, limiter=limiter)
        times.append(time.monotonic())
    assert [m.text for m in fake.messages(chat)] == ["сообщение 0", "сообщение 1", "сообщение 2"]  # no 429
    assert times[1] - times[0] >= 1.0 and times[2] - times[1] >= 1.0
    assert times[2] - started < 5.0
    other = _chat()
    fake.add_chat(other, "Коля")
    assert limiter.reserve(other).wait < 0.5  # another chat is not held up by this one


def test_the_limiter_gives_up_past_max_wait_and_holds_after_429(
    fake: FakeTelegram, bot: BotApi, limiter: TelegramLimiter
) -> None:
    chat = _chat()
    fake.add_chat(chat, "Саша")
    assert limiter.reserve(chat, max_wait=0.5).granted
    later = limiter.reserve(chat, max_wait=0.5)
    assert not later.granted and 0.9 < later.wait <= 1.1
    with pytest.raises(RetryableDelivery) as info:
        send_notification(bot, {"chat_id": chat, "html": "x"}, limiter=limiter, max_wait=0.5)
    assert info.value.retry_after is not None and info.value.retry_after >= 0.9
    assert fake.messages(chat) == []  # nothing was sent
    held = _chat()
    fake.add_chat(held, "Вера")
    fake.fail_next(1, 429, retry_after=3)
    with pytest.raises(RetryableDelivery):
        send_notification(bot, {"chat_id": held, "html": "x"}, limiter=limiter)
    after = limiter.reserve(held, max_wait=0)
    assert not after.granted and 2.5 < after.wait <= 3.0


def test_the_limiter_keeps_any_31_sends_over_a_second_apart(limiter: TelegramLimiter) -> None:
    slots = []
    for _ in range(40):
        before = time.time()
        reservation = limiter.reserve(_chat(), max_wait=10)
        assert reservation.granted
        slots.append(before + reservation.wait)
    slots.sort()
    # 5 per 200-ms window: 31 slots span 7 windows, so more than a second (minus this loop's clock jitter).
    assert all(slots[i + 30] - slots[i] > 0.95 for i in range(len(slots) - 30))
    assert slots[-1] - slots[0] < 2.5  # and it still sends about 25 a second


def test_the_stand_in_runs_as_a_process(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    token_file.chmod(0o600)
    log = tmp_path / "telegram.jsonl"
    argv = [sys.executable, "-m", "localcloud.servers.telegram", "--port", "0", "--token-file", str(token_file)]
    argv += ["--log", str(log), "--chat", "4242:Иван:ivan", "--username", "algoarts_bot"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "localstack"), str(ROOT)])}
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("READY "), line
        url = f"http://127.0.0.1:{int(line.split()[1])}"
        assert httpx.get(f"{url}/").json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        assert httpx.get(f"{url}/bot{TOKEN}/getMe").json()["result"]["username"] == "algoarts_bot"
        form = httpx.post(f"{url}/bot{TOKEN}/sendMessage", data={"chat_id": "4242", "text": "форма"})
        assert form.json()["result"]["text"] == "форма"
        with BotApi(url, TOKEN, timeout=5) as bot:
            time.sleep(1.05)
            bot.send_message(4242, "<i>Привет</i> &amp; добро пожаловать")
            admin = f"{url}/_fake/script"
            key = {"X-Fake-Admin-Key": TOKEN}
            assert httpx.post(admin, json={"block": 4242}).status_code == 403
            assert httpx.post(admin, json={"nonsense": 1}, headers=key).status_code == 400
            assert httpx.post(admin, json={"block": 4242}, headers=key).json() is True
            with pytest.raises(ChannelClosed):
                bot.send_message(4242, "после блокировки")
            wrote = httpx.post(admin, json={"write": {"chat_id": 77, "text": "/start abc"}}, headers=key).json()
            assert wrote["webhook_status"] is None  # no webhook set: kept for getUpdates
            [pending] = httpx.get(f"{url}/bot{TOKEN}/getUpdates").json()["result"]
            assert pending == wrote["update"] and parse_start(pending) == (77, "abc")
            listed = httpx.get(f"{url}/_fake/messages", params={"chat_id": 4242}, headers=key).json()["messages"]
            assert [m["text"] for m in listed] == ["форма", "Привет & добро пожаловать"]
        logged = [json.loads(x) for x in log.read_text("utf-8").splitlines()]
        assert [(m["chat_id"], m["text"]) for m in logged] == [(4242, "форма"), (4242, "Привет & добро пожаловать")]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert TOKEN not in line + out + err + log.read_text("utf-8")
