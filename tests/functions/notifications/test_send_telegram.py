"""SendTelegramNotificationFunction (the Telegram queue -> the Bot API): a queued delivery to a linked chat is
one HTML message in the Bot API stand-in and the row `sent`; a duplicate queue message sends nothing; a 429
holds the message back for Telegram's retry_after; a chat that blocked the bot fails the delivery and turns the
channel off for the user with the reason."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from types import ModuleType

import pytest
from functions.calls import account, cold_start, rows
from functions.notifications.notify_calls import (
    Channels,
    dispatched,
    message_for,
    put_secret,
    review_requested,
    set_notification_settings,
)
from functions.stream_calls import sqs_batch

from localcloud.servers.telegram import FakeTelegram
from support import LambdaContext

TOKEN = f"{secrets.randbelow(10**9) + 10**9}:{secrets.token_urlsafe(26)[:35]}"
SECRET = f"test/telegram-bot-token-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def bot(aws_endpoint: str) -> Iterator[FakeTelegram]:
    put_secret(aws_endpoint, SECRET, TOKEN)
    with FakeTelegram(TOKEN) as server:
        yield server


@pytest.fixture
def fn(
    monkeypatch: pytest.MonkeyPatch,
    postgres_url: str,
    redis_url: str,
    aws_endpoint: str,
    channels: Channels,
    bot: FakeTelegram,
) -> ModuleType:
    bot.reset()
    return cold_start(
        monkeypatch, "notifications", "send_telegram", aws=aws_endpoint, database_url=postgres_url,
        redis_url=redis_url, telegram_api_url=bot.url, telegram_bot_token_secret=SECRET, **channels.settings(),
    )  # fmt: skip


def linked(postgres_url: str, company: str, bot: FakeTelegram) -> tuple[int, dict[str, str]]:
    """A company admin with a linked chat, and the Telegram delivery of a review request to them."""
    user = account(postgres_url, "company_admin", company_id=company)
    chat_id = secrets.randbelow(10**9) + 10**6
    bot.add_chat(chat_id, "Ольга")
    set_notification_settings(postgres_url, user.id, telegram_chat_id=chat_id)
    row = dispatched(postgres_url, review_requested(company, str(user.id)))["telegram"]
    assert row["status"] == "queued", row["reason"]
    return chat_id, message_for(row)


def test_a_queued_message_reaches_the_linked_chat_once(
    fn: ModuleType, bot: FakeTelegram, postgres_url: str, company: str
) -> None:
    chat_id, body = linked(postgres_url, company, bot)
    assert fn.handler(sqs_batch(body), LambdaContext()) == {"batchItemFailures": []}
    (sent,) = bot.messages(chat_id)
    assert sent.parse_mode == "HTML" and "<a href=" in sent.html and sent.text
    assert rows(postgres_url, "SELECT status FROM notification_deliveries WHERE id = %s", body["delivery_id"]) == [
        {"status": "sent"}
    ]
    assert fn.handler(sqs_batch(body), LambdaContext()) == {"batchItemFailures": []}  # a duplicate message
    assert len(bot.messages(chat_id)) == 1


def test_flood_control_holds_the_message_for_telegrams_wait(
    fn: ModuleType, bot: FakeTelegram, postgres_url: str, company: str, channels: Channels
) -> None:
    chat_id, body = linked(postgres_url, company, bot)
    bot.fail_next(1, 429, retry_after=30)
    event = channels.telegram.delivered(body)
    assert fn.handler(event, LambdaContext())["batchItemFailures"] == [
        {"itemIdentifier": event["Records"][0]["messageId"]}
    ]
    assert bot.messages(chat_id) == []
    row = rows(postgres_url, "SELECT status, reason FROM notification_deliveries WHERE id = %s", body["delivery_id"])[0]
    assert row["status"] == "queued" and "retry after 30" in row["reason"]
    assert channels.telegram.received(wait=1) == []  # invisible for retry_after (30 s), not the 10-s backoff


def test_a_blocked_bot_turns_the_channel_off(
    fn: ModuleType, bot: FakeTelegram, postgres_url: str, company: str
) -> None:
    chat_id, body = linked(postgres_url, company, bot)
    bot.block(chat_id)
    assert fn.handler(sqs_batch(body), LambdaContext()) == {"batchItemFailures": []}  # not retried: it never goes
    row = rows(
        postgres_url, "SELECT status, reason, user_id FROM notification_deliveries WHERE id = %s", body["delivery_id"]
    )[0]
    assert row["status"] == "failed" and "blocked" in row["reason"]
    (state,) = rows(
        postgres_url, "SELECT telegram_disabled_reason FROM notification_settings WHERE user_id = %s", row["user_id"]
    )
    assert "blocked" in state["telegram_disabled_reason"]
