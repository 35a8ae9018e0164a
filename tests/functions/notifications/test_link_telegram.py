"""POST /v1/notifications/telegram/link (LinkTelegramFunction): a one-time deep link to the bot; only the
token's sha256 is stored, valid for 15 minutes."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from types import ModuleType
from urllib.parse import parse_qs, urlsplit

import pytest
from functions.calls import account, assert_problem, call, cold_start, principal, request, rows


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(
        monkeypatch, "notifications", "link_telegram", database_url=postgres_url, redis_url=redis_url,
        telegram_bot_username="algoarts_test_bot",
    )  # fmt: skip


def test_a_deep_link_whose_token_is_stored_only_as_its_hash(fn: ModuleType, postgres_url: str) -> None:
    user = account(postgres_url)
    before = datetime.now(UTC)
    answer = call(fn, request("link_telegram", principal(user=user)))
    assert answer.status == 201, answer.body
    url = urlsplit(answer.body["url"])
    assert (url.scheme, url.netloc, url.path) == ("https", "t.me", "/algoarts_test_bot")
    (token,) = parse_qs(url.query)["start"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", token)  # Telegram's deep-link parameter
    expires_at = datetime.fromisoformat(answer.body["expires_at"])
    assert before + timedelta(minutes=14) < expires_at <= datetime.now(UTC) + timedelta(minutes=15)

    stored = rows(postgres_url, "SELECT token_hash, expires_at, used_at FROM telegram_link_tokens WHERE user_id = %s",
                  user.id)  # fmt: skip
    assert len(stored) == 1
    assert stored[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert stored[0]["used_at"] is None and stored[0]["expires_at"] == expires_at
    assert not rows(postgres_url, "SELECT 1 FROM telegram_link_tokens WHERE token_hash = %s", token)

    second = call(fn, request("link_telegram", principal(user=user)))
    assert second.body["url"] != answer.body["url"]  # a new token each time


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("link_telegram")), 401)
