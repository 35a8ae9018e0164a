"""GET|POST /v1/notifications/unsubscribe?token=... (UnsubscribeFunction, public): the link of every email.

GET shows what the link turns off, with a button, and changes nothing (mail scanners fetch every link);
POST (RFC 8058 one-click: `List-Unsubscribe=One-Click`, or the page's button) turns it off and answers 200,
without a login or a redirect. A token tampered with, expired, of another purpose or made up is 400 naming
`token`."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from functions.calls import account, assert_problem, call, cold_start, request, rows

from shared.notifications.kinds import kinds
from shared.notifications.tokens import sign

KEY = secrets.token_urlsafe(48)
SECRET = f"test/notification-signing-key-{uuid.uuid4().hex[:8]}"
REVIEW = "outreach_review_requested"


@pytest.fixture(scope="module")
def signing_key(aws_endpoint: str) -> bytes:
    """The deployment's signing key in the emulator's Secrets Manager, as `algoarts` would write it."""
    from localcloud.runtime import boto_session

    boto_session(aws_endpoint).client("secretsmanager").create_secret(Name=SECRET, SecretString=KEY)
    return KEY.encode()


@pytest.fixture
def fn(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, aws_endpoint: str, signing_key: bytes
) -> ModuleType:
    return cold_start(
        monkeypatch, "notifications", "unsubscribe", aws=aws_endpoint, database_url=postgres_url, redis_url=redis_url,
        notification_signing_key_secret=SECRET, public_app_url="https://app.example.ru",
    )  # fmt: skip


def token(user_id: object, kind: str = REVIEW, *, key: bytes = KEY.encode(), **extra: Any) -> str:
    return sign(key, extra.pop("purpose", "unsubscribe"), {"u": str(user_id), "k": kind, "c": "email"}, **extra)


def _unsubscribe(fn: ModuleType, value: str | None, method: str = "POST", **headers: str) -> Any:
    ev = request("unsubscribe", query={"token": value} if value is not None else {}, headers=headers)
    ev["requestContext"]["http"]["method"] = method
    ev["routeKey"] = ev["requestContext"]["routeKey"] = f"{method} /v1/notifications/unsubscribe"
    if method == "GET":
        ev.pop("body", None)
    return call(fn, ev)


def _email_off(postgres_url: str, user_id: object) -> dict[str, bool]:
    found = rows(postgres_url, "SELECT kind, enabled FROM notification_preferences WHERE user_id = %s AND channel = "
                 "'email'", user_id)  # fmt: skip
    return {r["kind"]: r["enabled"] for r in found}


def test_get_confirms_in_russian_and_changes_nothing(fn: ModuleType, postgres_url: str) -> None:
    user = account(postgres_url)
    answer = _unsubscribe(fn, token(user.id), "GET", **{"Accept-Language": "ru-RU,ru;q=0.9"})
    assert answer.status == 200, answer.body
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.headers["Content-Language"] == "ru"
    page = answer.body
    assert kinds()[REVIEW].label["ru"] in page and 'method="post"' in page and "Отписаться" in page
    assert _email_off(postgres_url, user.id) == {}


def test_get_in_english_otherwise(fn: ModuleType, postgres_url: str) -> None:
    user = account(postgres_url)
    answer = _unsubscribe(fn, token(user.id), "GET", **{"Accept-Language": "en-GB"})
    assert answer.headers["Content-Language"] == "en" and kinds()[REVIEW].label["en"] in answer.body


def test_one_click_post_turns_the_kind_off(fn: ModuleType, postgres_url: str) -> None:
    user = account(postgres_url)
    answer = _unsubscribe(fn, token(user.id))
    assert answer.status == 200, answer.body
    assert "Location" not in answer.headers
    assert answer.body == {"unsubscribed": True, "kind": REVIEW, "channel": "email"}
    assert _email_off(postgres_url, user.id) == {REVIEW: False}
    assert _unsubscribe(fn, token(user.id)).status == 200  # again: still off, still 200
    assert _email_off(postgres_url, user.id) == {REVIEW: False}


def test_the_pages_button_gets_a_page(fn: ModuleType, postgres_url: str) -> None:
    user = account(postgres_url)
    answer = _unsubscribe(fn, token(user.id), Accept="text/html,application/xhtml+xml", **{"Accept-Language": "en"})
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/html")
    assert "https://app.example.ru/settings/notifications" in answer.body
    assert _email_off(postgres_url, user.id) == {REVIEW: False}


def test_every_kind_turns_off_even_one_turned_on_before(fn: ModuleType, postgres_url: str) -> None:
    from shared.db import connect

    user = account(postgres_url)
    with connect(postgres_url) as conn:
        conn.execute("INSERT INTO notification_preferences (user_id, kind, channel, enabled) "
                     "VALUES (%s, 'company_verified', 'email', TRUE)", (user.id,))  # fmt: skip
        conn.commit()
    assert _unsubscribe(fn, token(user.id, "*")).status == 200
    assert _email_off(postgres_url, user.id) == {"*": False, "company_verified": False}


def _tampered(user_id: object) -> str:
    value = token(user_id)
    head, payload, signature = value.split(".")
    return f"{head}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"


@pytest.mark.parametrize("case", ["tampered", "other key", "expired", "other purpose", "garbage", "missing", "kind"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_bad_token_is_400_naming_it_and_changes_nothing(
    fn: ModuleType, postgres_url: str, case: str, method: str
) -> None:
    user = account(postgres_url)
    makers: dict[str, Callable[[], str | None]] = {
        "tampered": lambda: _tampered(user.id),
        "other key": lambda: token(user.id, key=secrets.token_bytes(32)),
        "expired": lambda: token(user.id, ttl_seconds=60, now=1_700_000_000),
        "other purpose": lambda: token(user.id, purpose="telegram-link"),
        "garbage": lambda: "not.a.token",
        "missing": lambda: None,
        "kind": lambda: token(user.id, "no_such_kind"),
    }
    value = makers[case]()
    assert_problem(_unsubscribe(fn, value, method), 400, "token")
    assert _email_off(postgres_url, user.id) == {}
