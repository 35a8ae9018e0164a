"""DispatchNotificationsFunction (Kafka notification.events, partnership.events, company.events -> the inbox,
deliveries and the channels' queues): a review request reaches each recipient's inbox and, per their channels,
the email queue (suppressed where they have no Telegram chat or browser); redelivered, it writes and enqueues
nothing twice; an unknown type on notification.events fails the batch naming it (then dead-lettered); other
topics' changes that notify nobody are ignored."""

from __future__ import annotations

from types import ModuleType

import pytest
from functions.calls import account, cold_start, rows
from functions.notifications.notify_calls import Channels, deliveries, review_requested
from functions.stream_calls import kafka_batch, sample_envelope

from shared.notifications.dispatch import UnknownNotification
from support import LambdaContext


@pytest.fixture
def fn(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, aws_endpoint: str, channels: Channels
) -> ModuleType:
    return cold_start(
        monkeypatch, "notifications", "dispatch_notifications", aws=aws_endpoint,
        database_url=postgres_url, redis_url=redis_url, **channels.settings(),
    )  # fmt: skip


def test_a_review_request_reaches_the_inbox_and_the_email_queue_once(
    fn: ModuleType, channels: Channels, postgres_url: str, company: str
) -> None:
    admin, member = (
        account(postgres_url, "company_admin", company_id=company),
        account(postgres_url, "paid_user", company_id=company),
    )
    envelope = review_requested(company, str(admin.id), str(member.id))
    batch = kafka_batch(envelope, topic="notification.events")
    result = fn.handler(batch, LambdaContext())
    assert result["notified"] == 1 and result["inbox"] == 2
    # Email on by default for review requests; nobody linked Telegram or subscribed a browser yet.
    assert result["deliveries"] == {"queued": 2, "suppressed": 4} and result["enqueued"] == 2
    inbox = rows(
        postgres_url,
        "SELECT user_id::text AS user_id, kind, title, link FROM notifications WHERE event_id = %s",
        envelope["event_id"],
    )
    assert {r["user_id"] for r in inbox} == {str(admin.id), str(member.id)}
    assert all(r["kind"] == "outreach_review_requested" and r["title"] for r in inbox)
    assert all(r["link"] == f"https://app.example.ru/discoveries/{envelope['payload']['discovery_id']}" for r in inbox)
    messages = channels.email.received()
    assert len(messages) == 2 and {m["channel"] for m in messages} == {"email"}
    emails = {m["delivery_id"] for m in messages}
    sql = "SELECT id::text AS id, dedup_key, content, enqueued_at FROM notification_deliveries WHERE event_id = %s"
    queued = rows(postgres_url, sql + " AND channel = 'email'", envelope["event_id"])
    assert {q["id"] for q in queued} == emails and all(q["enqueued_at"] is not None for q in queued)
    assert {q["dedup_key"] for q in queued} == {f"{envelope['event_id']}:{u.id}:email" for u in (admin, member)}
    content = queued[0]["content"]
    assert content["to"] in {admin.email, member.email} and content["subject"] and "<html" in content["html"].lower()
    assert content["unsubscribe_url"].startswith("https://app.example.ru/v1/notifications/unsubscribe?token=")
    telegram = deliveries(postgres_url, envelope["event_id"])["telegram"]
    assert (telegram["status"], telegram["reason"]) == ("suppressed", "no linked Telegram chat")

    again = fn.handler(batch, LambdaContext())  # redelivered
    assert again["inbox"] == 0 and again["deliveries"] == {} and again["enqueued"] == 0
    assert channels.email.received(wait=0) == []
    assert len(rows(postgres_url, "SELECT 1 FROM notifications WHERE event_id = %s", envelope["event_id"])) == 2


def test_an_unknown_notification_type_fails_the_batch_naming_it(
    fn: ModuleType, postgres_url: str, company: str
) -> None:
    admin = account(postgres_url, "company_admin", company_id=company)
    bogus = review_requested(company, str(admin.id), event_type="outreach.review_forgotten")
    with pytest.raises(UnknownNotification, match=r"outreach\.review_forgotten event .* is not a notification kind"):
        fn.handler(kafka_batch(bogus, topic="notification.events"), LambdaContext())
    assert rows(postgres_url, "SELECT 1 FROM notifications WHERE event_id = %s", bogus["event_id"]) == []


def test_changes_that_notify_nobody_are_ignored(fn: ModuleType) -> None:
    result = fn.handler(kafka_batch(sample_envelope()), LambdaContext())  # a company.created
    assert (result["notified"], result["ignored"], result["enqueued"]) == (0, 1, 0)
