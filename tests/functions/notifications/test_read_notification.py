"""POST /v1/notifications/{id}/read (ReadNotificationFunction): one item of the caller's inbox read;
idempotent (the first read time stays); another user's item and an unknown id are 404 and change nothing."""

from __future__ import annotations

import uuid
from types import ModuleType

import pytest
from functions.calls import account, assert_problem, call, cold_start, principal, request, row


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "notifications", "read_notification", database_url=postgres_url, redis_url=redis_url)


def _item(postgres_url: str, user_id: str) -> str:
    from shared.db import connect

    with connect(postgres_url) as conn:
        found = conn.execute(
            "INSERT INTO notifications (user_id, event_id, event_type, kind, title, body) "
            "VALUES (%s, %s, 'company.verified', 'company_verified', 'Компания подтверждена', 'ЕГРЮЛ подтвердил') "
            "RETURNING id::text AS id",
            (user_id, uuid.uuid4()),
        ).fetchone()
        conn.commit()
    return str(found["id"])  # type: ignore[call-overload, index]


def _path(item_id: str) -> str:
    return f"/v1/notifications/{item_id}/read"


def test_the_owner_reads_it_once(fn: ModuleType, postgres_url: str) -> None:
    user = account(postgres_url)
    item = _item(postgres_url, str(user.id))
    answer = call(fn, request("read_notification", principal(user=user), path=_path(item)))
    assert answer.status == 200, answer.body
    assert answer.body["id"] == item and answer.body["kind"] == "company_verified"
    assert answer.body["read_at"] is not None
    again = call(fn, request("read_notification", principal(user=user), path=_path(item)))
    assert again.status == 200 and again.body["read_at"] == answer.body["read_at"]


def test_another_users_item_and_an_unknown_id_are_404(fn: ModuleType, postgres_url: str) -> None:
    owner, stranger = account(postgres_url), account(postgres_url)
    item = _item(postgres_url, str(owner.id))
    assert_problem(call(fn, request("read_notification", principal(user=stranger), path=_path(item))), 404, "id")
    assert row(postgres_url, "SELECT read_at FROM notifications WHERE id = %s", item)["read_at"] is None
    unknown = str(uuid.uuid4())
    assert_problem(call(fn, request("read_notification", principal(user=owner), path=_path(unknown))), 404, "id")
    assert_problem(call(fn, request("read_notification", principal(user=owner), path=_path("not-an-id"))), 404, "id")


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("read_notification")), 401)
