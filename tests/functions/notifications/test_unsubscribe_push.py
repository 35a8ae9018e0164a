"""DELETE /v1/notifications/push/subscriptions (UnsubscribePushFunction) with {"endpoint"}: the caller's
browser unsubscribed (204); an endpoint the caller has not subscribed (unknown, or another user's) is 404
and removes nothing."""

from __future__ import annotations

import uuid
from types import ModuleType

import pytest
from functions.calls import account, assert_problem, call, cold_start, principal, request, rows


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "notifications", "unsubscribe_push", database_url=postgres_url, redis_url=redis_url)


def _subscribed(postgres_url: str, user_id: object) -> str:
    from shared.db import connect

    endpoint = f"https://updates.push.services.mozilla.com/wpush/v2/{uuid.uuid4().hex}"
    with connect(postgres_url) as conn:
        conn.execute(
            "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth) VALUES (%s, %s, 'k', 'a')",
            (user_id, endpoint),
        )
        conn.commit()
    return endpoint


def test_the_callers_browser_is_unsubscribed(fn: ModuleType, postgres_url: str) -> None:
    user = account(postgres_url)
    endpoint, kept = _subscribed(postgres_url, user.id), _subscribed(postgres_url, user.id)
    answer = call(fn, request("unsubscribe_push", principal(user=user), body={"endpoint": endpoint}))
    assert answer.status == 204, answer.body
    left = rows(postgres_url, "SELECT endpoint FROM push_subscriptions WHERE user_id = %s", user.id)
    assert [r["endpoint"] for r in left] == [kept]
    again = call(fn, request("unsubscribe_push", principal(user=user), body={"endpoint": endpoint}))
    assert_problem(again, 404, "endpoint")


def test_another_users_endpoint_is_404_and_stays(fn: ModuleType, postgres_url: str) -> None:
    owner, stranger = account(postgres_url), account(postgres_url)
    endpoint = _subscribed(postgres_url, owner.id)
    answer = call(fn, request("unsubscribe_push", principal(user=stranger), body={"endpoint": endpoint}))
    assert_problem(answer, 404, "endpoint")
    assert len(rows(postgres_url, "SELECT 1 FROM push_subscriptions WHERE endpoint = %s", endpoint)) == 1


def test_without_an_endpoint_is_422(fn: ModuleType, postgres_url: str) -> None:
    answer = call(fn, request("unsubscribe_push", principal(user=account(postgres_url)), body={}))
    assert_problem(answer, 422, "endpoint")


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("unsubscribe_push")), 401)
