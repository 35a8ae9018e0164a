"""ReleaseDeferredNotificationsFunction (every minute): an email held for the recipient's quiet hours waits
while they last, and goes onto the email queue once they are over; a second run enqueues nothing again."""

from __future__ import annotations

from datetime import UTC, datetime, time
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

from shared.db import connect
from support import LambdaContext


@pytest.fixture
def fn(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, aws_endpoint: str, channels: Channels
) -> ModuleType:
    return cold_start(
        monkeypatch, "notifications", "release_deferred", aws=aws_endpoint, database_url=postgres_url,
        redis_url=redis_url, **channels.settings(),
    )  # fmt: skip


def test_a_message_held_for_quiet_hours_goes_when_they_end(
    fn: ModuleType, channels: Channels, postgres_url: str, company: str
) -> None:
    user = account(postgres_url, "company_admin", company_id=company)
    set_notification_settings(postgres_url, user.id, time_zone="Europe/Moscow", quiet_start=time(22), quiet_end=time(8))
    night = datetime(2026, 12, 3, 20, 30, tzinfo=UTC)  # 23:30 in Moscow
    email = dispatched(postgres_url, review_requested(company, str(user.id)), now=night)["email"]
    assert email["status"] == "deferred"
    assert email["deliver_after"] == datetime(2026, 12, 4, 5, 0, tzinfo=UTC)  # 08:00 in Moscow
    with connect(postgres_url) as conn:  # still night for this delivery: nothing goes
        conn.execute(
            "UPDATE notification_deliveries SET deliver_after = now() + interval '1 hour' WHERE id = %s", (email["id"],)
        )
        conn.commit()
    assert fn.handler(scheduled_event(), LambdaContext())["enqueued"] == 0
    with connect(postgres_url) as conn:  # morning came
        conn.execute(
            "UPDATE notification_deliveries SET deliver_after = now() - interval '1 second' WHERE id = %s",
            (email["id"],),
        )
        conn.commit()
    assert fn.handler(scheduled_event(), LambdaContext())["enqueued"] >= 1
    assert str(email["id"]) in {m["delivery_id"] for m in channels.email.received()}
    after = rows(postgres_url, "SELECT status, enqueued_at FROM notification_deliveries WHERE id = %s", email["id"])[0]
    assert after["status"] == "queued" and after["enqueued_at"] is not None
    fn.handler(scheduled_event(), LambdaContext())
    assert str(email["id"]) not in {m["delivery_id"] for m in channels.email.received(wait=0)}
