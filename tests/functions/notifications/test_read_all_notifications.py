"""POST /v1/notifications/read-all (ReadAllNotificationsFunction): every unread item of the caller's inbox
read, answering how many; another user's inbox untouched; a second call marks none."""

from __future__ import annotations

import uuid
from types import ModuleType

import pytest
from functions.calls import account, assert_problem, call, cold_start, principal, request, row


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(
        monkeypatch, "notifications", "read_all_notifications", database_url=postgres_url, redis_url=redis_url
    )


def _items(postgres_url: str, user_id: str, unread: int, read: int) -> None:
    from shared.db import connect

    with connect(postgres_url) as conn:
        for i in range(unread + read):
            conn.execute(
                "INSERT INTO notifications (user_id, event_id, event_type, kind, title, body, read_at) "
                "VALUES (%s, %s, 'discovery.no_match', 'discovery_no_match', 'Ничего не найдено', 'Попробуйте шире', "
                "CASE WHEN %s THEN NOW() END)",
                (user_id, uuid.uuid4(), i >= unread),
            )
        conn.commit()


def _unread(postgres_url: str, user_id: str) -> int:
    return int(row(postgres_url, "SELECT count(*) AS n FROM notifications WHERE user_id = %s AND read_at IS NULL",
                   user_id)["n"])  # fmt: skip


def test_marks_every_unread_item_of_the_caller(fn: ModuleType, postgres_url: str) -> None:
    user, stranger = account(postgres_url), account(postgres_url)
    _items(postgres_url, str(user.id), unread=3, read=2)
    _items(postgres_url, str(stranger.id), unread=2, read=0)
    answer = call(fn, request("read_all_notifications", principal(user=user)))
    assert answer.status == 200, answer.body
    assert answer.body == {"marked": 3}
    assert _unread(postgres_url, str(user.id)) == 0
    assert _unread(postgres_url, str(stranger.id)) == 2
    assert call(fn, request("read_all_notifications", principal(user=user))).body == {"marked": 0}


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("read_all_notifications")), 401)
