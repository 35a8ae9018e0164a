"""GET /v1/notifications (ListNotificationsFunction): the caller's inbox, newest first, keyset pages, only
unread on request, and the unread count of the whole inbox; never another user's items."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest
from functions.calls import account, assert_problem, call, cold_start, principal, request


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(
        monkeypatch, "notifications", "list_notifications", database_url=postgres_url, redis_url=redis_url
    )


def _inbox(postgres_url: str, user_id: str, count: int, *, read: frozenset[int] = frozenset()) -> list[str]:
    """`count` items as the dispatcher writes them, one minute apart (index 0 the oldest); their ids."""
    from shared.db import connect

    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    ids = []
    with connect(postgres_url) as conn:
        for i in range(count):
            row = conn.execute(
                "INSERT INTO notifications (user_id, event_id, event_type, kind, title, body, link, created_at, "
                "read_at) "
                "VALUES (%s, %s, 'outreach.review_requested', 'outreach_review_requested', %s, 'Откройте черновик', "
                "'https://app.algoarts.ru/discoveries/1', %s, %s) RETURNING id::text AS id",
                (
                    user_id,
                    uuid.uuid4(),
                    f"Черновик №{i}",
                    start + timedelta(minutes=i),
                    start + timedelta(hours=1) if i in read else None,
                ),
            ).fetchone()
            ids.append(row["id"])  # type: ignore[call-overload, index]
        conn.commit()
    return ids


def test_newest_first_paged_by_cursor_with_the_unread_count(fn: ModuleType, postgres_url: str) -> None:
    user = account(postgres_url)
    ids = _inbox(postgres_url, str(user.id), 5, read=frozenset({0, 3}))
    stranger = account(postgres_url)
    _inbox(postgres_url, str(stranger.id), 2)
    me = principal(user=user)

    first = call(fn, request("list_notifications", me, query={"limit": "2"}))
    assert first.status == 200, first.body
    assert [i["id"] for i in first.body["items"]] == [ids[4], ids[3]]
    assert first.body["unread_count"] == 3 and first.body["limit"] == 2
    item = first.body["items"][1]
    assert item["kind"] == "outreach_review_requested" and item["title"] == "Черновик №3"
    assert item["body"] == "Откройте черновик" and item["link"].startswith("https://")
    assert item["read_at"] is not None and first.body["items"][0]["read_at"] is None

    second = call(fn, request("list_notifications", me, query={"limit": "2", "cursor": first.body["next_cursor"]}))
    assert [i["id"] for i in second.body["items"]] == [ids[2], ids[1]]
    third = call(fn, request("list_notifications", me, query={"limit": "2", "cursor": second.body["next_cursor"]}))
    assert [i["id"] for i in third.body["items"]] == [ids[0]] and third.body["next_cursor"] is None

    everything = call(fn, request("list_notifications", me, query={}))
    assert len(everything.body["items"]) == 5 and everything.body["limit"] == 20  # the default page


def test_unread_only(fn: ModuleType, postgres_url: str) -> None:
    user = account(postgres_url)
    ids = _inbox(postgres_url, str(user.id), 4, read=frozenset({1, 2}))
    answer = call(fn, request("list_notifications", principal(user=user), query={"unread_only": "true"}))
    assert [i["id"] for i in answer.body["items"]] == [ids[3], ids[0]]
    assert answer.body["unread_count"] == 2


def test_an_empty_inbox(fn: ModuleType, postgres_url: str) -> None:
    answer = call(fn, request("list_notifications", principal(user=account(postgres_url)), query={}))
    assert answer.status == 200
    assert answer.body == {"items": [], "next_cursor": None, "limit": 20, "unread_count": 0}


@pytest.mark.parametrize(
    ("query", "field"),
    [({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"cursor": "bm90LWEtY3Vyc29y"}, "cursor"),
     ({"unread_only": "maybe"}, "unread_only")],
)  # fmt: skip
def test_bad_parameters_are_422_naming_them(
    fn: ModuleType, postgres_url: str, query: dict[str, str], field: str
) -> None:
    answer = call(fn, request("list_notifications", principal(user=account(postgres_url)), query=query))
    assert_problem(answer, 422, field)


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("list_notifications", query={})), 401)
