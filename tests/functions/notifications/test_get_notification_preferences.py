"""GET /v1/notifications/preferences (GetNotificationPreferencesFunction): the caller's whole picture; a user
who changed nothing sees kinds.json's defaults for every kind, their account's email, no Telegram, no push."""

from __future__ import annotations

from types import ModuleType

import pytest
from functions.calls import account, assert_problem, call, cold_start, principal, request

from shared.notifications.kinds import CHANNELS, kinds


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(
        monkeypatch, "notifications", "get_notification_preferences", database_url=postgres_url, redis_url=redis_url
    )


def test_defaults_for_a_user_who_changed_nothing(fn: ModuleType, postgres_url: str) -> None:
    user = account(postgres_url)
    answer = call(fn, request("get_notification_preferences", principal(user=user)))
    assert answer.status == 200, answer.body
    picture = answer.body
    assert (picture["language"], picture["time_zone"], picture["quiet_hours"], picture["digest"]) == (
        "ru", "Europe/Moscow", None, False,
    )  # fmt: skip
    assert picture["channels"] == {
        "email": {"address": user.email},
        "telegram": {"linked": False, "enabled": False, "disabled_reason": None},
        "push": {"subscriptions": 0},
    }
    assert set(picture["events"]) == set(kinds())
    for name, kind in kinds().items():
        assert picture["events"][name] == {c: kind.default_enabled(c) for c in CHANNELS}
    assert picture["events"]["outreach_review_requested"]["email"] is True  # review requests by email by default


def test_overrides_a_linked_chat_and_subscriptions_show(fn: ModuleType, postgres_url: str) -> None:
    from shared.db import connect

    user = account(postgres_url)
    with connect(postgres_url) as conn:
        conn.execute(
            "INSERT INTO notification_settings (user_id, language, time_zone, quiet_start, quiet_end, digest, "
            "telegram_chat_id, telegram_linked_at, telegram_disabled_reason) "
            "VALUES (%s, 'en', 'Asia/Vladivostok', '23:00', '07:30', TRUE, %s, NOW(), 'the user blocked the bot')",
            (user.id, 900_000_000 + user.id.int % 10**8),
        )
        conn.execute(
            "INSERT INTO notification_preferences (user_id, kind, channel, enabled) "
            "VALUES (%s, 'outreach_review_requested', 'email', FALSE)",
            (user.id,),
        )
        conn.execute(
            "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth) VALUES (%s, %s, 'k', 'a')",
            (user.id, f"https://push.example.com/{user.id}"),
        )
        conn.commit()
    picture = call(fn, request("get_notification_preferences", principal(user=user))).body
    assert (picture["language"], picture["time_zone"], picture["digest"]) == ("en", "Asia/Vladivostok", True)
    assert picture["quiet_hours"] == {"start": "23:00", "end": "07:30"}
    assert picture["channels"]["telegram"] == {
        "linked": True, "enabled": False, "disabled_reason": "the user blocked the bot",
    }  # fmt: skip
    assert picture["channels"]["push"] == {"subscriptions": 1}
    assert picture["events"]["outreach_review_requested"]["email"] is False
    assert picture["events"]["outreach_review_requested"]["inapp"] is True  # the others keep their default


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("get_notification_preferences")), 401)
