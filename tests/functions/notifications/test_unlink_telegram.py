"""DELETE /v1/notifications/telegram/link (UnlinkTelegramFunction): the caller's chat forgotten, nothing
more goes to it; idempotent; another user's link untouched."""

from __future__ import annotations

from types import ModuleType

import pytest
from functions.calls import account, assert_problem, call, cold_start, principal, request, row


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "notifications", "unlink_telegram", database_url=postgres_url, redis_url=redis_url)


def _linked(postgres_url: str, user_id: object, chat_id: int) -> None:
    from shared.db import connect

    with connect(postgres_url) as conn:
        conn.execute(
            "INSERT INTO notification_settings (user_id, language, telegram_chat_id, telegram_linked_at) "
            "VALUES (%s, 'en', %s, NOW())",
            (user_id, chat_id),
        )
        conn.commit()


def test_the_chat_is_forgotten_and_the_rest_kept(fn: ModuleType, postgres_url: str) -> None:
    user, other = account(postgres_url), account(postgres_url)
    _linked(postgres_url, user.id, 700_000_000 + user.id.int % 10**8)
    _linked(postgres_url, other.id, 700_000_000 + other.id.int % 10**8)
    answer = call(fn, request("unlink_telegram", principal(user=user)))
    assert answer.status == 204, answer.body
    mine = row(postgres_url, "SELECT * FROM notification_settings WHERE user_id = %s", user.id)
    assert mine["telegram_chat_id"] is None and mine["telegram_linked_at"] is None
    assert mine["language"] == "en"
    theirs = row(postgres_url, "SELECT telegram_chat_id FROM notification_settings WHERE user_id = %s", other.id)
    assert theirs["telegram_chat_id"] is not None
    assert call(fn, request("unlink_telegram", principal(user=user))).status == 204
    never_linked = principal(user=account(postgres_url))
    assert call(fn, request("unlink_telegram", never_linked)).status == 204


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("unlink_telegram")), 401)
