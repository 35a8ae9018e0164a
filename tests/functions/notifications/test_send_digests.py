"""SendDigestsFunction (daily): the emails held for a user in digest mode become one digest email listing
each, on the email queue, and the items are marked digested; a second run the same day builds nothing."""

from __future__ import annotations

from types import ModuleType

import pytest
from functions.calls import account, cold_start, rows
from functions.notifications.notify_calls import (
    Channels,
    dispatched,
    review_requested,
    set_notification_settings,
)
from functions.stream_calls import scheduled_event

from support import LambdaContext


@pytest.fixture
def fn(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, aws_endpoint: str, channels: Channels
) -> ModuleType:
    return cold_start(
        monkeypatch, "notifications", "send_digests", aws=aws_endpoint, database_url=postgres_url,
        redis_url=redis_url, **channels.settings(),
    )  # fmt: skip


def test_the_days_emails_become_one_digest(fn: ModuleType, channels: Channels, postgres_url: str, company: str) -> None:
    user = account(postgres_url, "company_admin", company_id=company)
    set_notification_settings(postgres_url, user.id, digest=True)
    events = [review_requested(company, str(user.id)) for _ in range(2)]
    held = [dispatched(postgres_url, e)["email"] for e in events]
    assert [h["status"] for h in held] == ["digest", "digest"]
    assert fn.handler(scheduled_event(), LambdaContext())["digests"] >= 1
    (digest,) = rows(
        postgres_url, "SELECT * FROM notification_deliveries WHERE user_id = %s AND kind = 'digest'", user.id
    )
    assert digest["status"] == "queued" and digest["dedup_key"].startswith(f"digest:{user.id}:")
    assert str(digest["id"]) in {m["delivery_id"] for m in channels.email.received()}
    assert digest["content"]["to"] == user.email
    for e in events:  # each item, with its link, in both parts
        link = f"https://app.example.ru/discoveries/{e['payload']['discovery_id']}"
        assert link in digest["content"]["text"] and link in digest["content"]["html"]
    statuses = rows(
        postgres_url,
        "SELECT status FROM notification_deliveries WHERE id = ANY(%s::uuid[])",
        [str(h["id"]) for h in held],
    )
    assert [s["status"] for s in statuses] == ["digested", "digested"]
    fn.handler(scheduled_event(), LambdaContext())  # the same day again
    assert (
        len(rows(postgres_url, "SELECT 1 FROM notification_deliveries WHERE user_id = %s AND kind = 'digest'", user.id))
        == 1
    )
