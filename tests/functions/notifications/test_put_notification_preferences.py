"""PUT /v1/notifications/preferences (PutNotificationPreferencesFunction): any part of the picture changes
and the answer is the new whole picture; an unknown time zone, kind or channel is 422 naming it and
changes nothing."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from functions.calls import account, assert_problem, call, cold_start, principal, request, rows

from shared.notifications.kinds import kinds


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(
        monkeypatch, "notifications", "put_notification_preferences", database_url=postgres_url, redis_url=redis_url
    )


def _put(fn: ModuleType, caller: Any, body: Any, **headers: str) -> Any:
    return call(fn, request("put_notification_preferences", caller, body=body, headers=headers))


def test_a_partial_change_answers_the_whole_new_picture(fn: ModuleType, postgres_url: str) -> None:
    user = account(postgres_url)
    me = principal(user=user)
    body = {
        "language": "en",
        "time_zone": "Asia/Yekaterinburg",
        "quiet_hours": {"start": "22:00", "end": "08:00"},
        "digest": True,
        "events": {
            "outreach_review_requested": {"email": False, "push": False},
            "company_verified": {"telegram": True},
        },
    }
    answer = _put(fn, me, body)
    assert answer.status == 200, answer.body
    picture = answer.body
    assert (picture["language"], picture["time_zone"], picture["digest"]) == ("en", "Asia/Yekaterinburg", True)
    assert picture["quiet_hours"] == {"start": "22:00", "end": "08:00"}
    review = picture["events"]["outreach_review_requested"]
    assert (review["email"], review["push"], review["inapp"]) == (False, False, True)
    assert picture["events"]["company_verified"]["telegram"] is True
    assert set(picture["events"]) == set(kinds())
    assert picture["channels"]["email"] == {"address": user.email}

    # A later PUT changes only what it names; null quiet hours turn them off.
    later = _put(fn, me, {"quiet_hours": None}).body
    assert later["quiet_hours"] is None and later["time_zone"] == "Asia/Yekaterinburg" and later["language"] == "en"
    assert later["events"]["outreach_review_requested"]["email"] is False
    # What GET answered may be sent back as it is (channels are read-only and ignored).
    assert _put(fn, me, later).body == later


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"events": {"no_such_kind": {"email": False}}}, "events.no_such_kind"),
        ({"events": {"company_verified": {"fax": True}}}, "events.company_verified.fax"),
        ({"events": {"company_verified": {"email": "sometimes"}}}, "events.company_verified.email"),
        ({"quiet_hours": {"start": "25:00", "end": "08:00"}}, "quiet_hours.start"),
        ({"quiet_hours": {"start": "08:00", "end": "08:00"}}, "quiet_hours.end"),
        ({"language": "de"}, "language"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_values_are_422_naming_the_field(fn: ModuleType, postgres_url: str, body: Any, field: str) -> None:
    user = account(postgres_url)
    answer = _put(fn, principal(user=user), {"digest": True, **body})
    assert_problem(answer, 422, field)
    assert rows(postgres_url, "SELECT 1 FROM notification_settings WHERE user_id = %s", user.id) == []
    assert rows(postgres_url, "SELECT 1 FROM notification_preferences WHERE user_id = %s", user.id) == []


def test_the_time_zone_problem_speaks_the_callers_language(fn: ModuleType, postgres_url: str) -> None:
    me = principal(user=account(postgres_url))
    ru = _put(fn, me, {"time_zone": "Europe/Atlantis"})
    assert "часовой пояс" in ru.body["errors"][0]["message"]
    en = _put(fn, me, {"time_zone": "Europe/Atlantis"}, **{"Accept-Language": "en"})
    assert "time zone" in en.body["errors"][0]["message"]


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("put_notification_preferences")), 401)
