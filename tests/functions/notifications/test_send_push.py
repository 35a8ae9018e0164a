"""SendPushNotificationFunction (the push queue -> every browser of the user, RFC 8030 + VAPID): the
payload reaches each subscription, encrypted (the stand-in decrypts it to what was rendered) and signed with
the deployment's VAPID key; a subscription the push service says is gone (410) is removed, and with none left
the delivery is suppressed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.calls import account, cold_start, rows
from functions.notifications.notify_calls import (
    Channels,
    dispatched,
    message_for,
    put_secret,
    review_requested,
)
from functions.stream_calls import sqs_batch

from localcloud.servers.webpush import FakePushService
from shared.db import connect
from shared.notifications.webpush import generate_vapid_key, vapid_public_key
from support import LambdaContext

VAPID = generate_vapid_key()
SECRET = f"test/vapid-private-key-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def push_service(aws_endpoint: str) -> Iterator[FakePushService]:
    put_secret(aws_endpoint, SECRET, VAPID)
    with FakePushService() as server:
        yield server


@pytest.fixture
def fn(
    monkeypatch: pytest.MonkeyPatch,
    postgres_url: str,
    redis_url: str,
    aws_endpoint: str,
    channels: Channels,
    push_service: FakePushService,
) -> ModuleType:
    return cold_start(
        monkeypatch, "notifications", "send_push", aws=aws_endpoint, database_url=postgres_url, redis_url=redis_url,
        vapid_private_key_secret=SECRET, vapid_subject="mailto:support@algoarts.ru", **channels.settings(),
    )  # fmt: skip


def browser(postgres_url: str, push_service: FakePushService, user_id: object) -> dict[str, Any]:
    """A browser subscribed with the deployment's applicationServerKey, stored as POST .../subscriptions does."""
    sub = push_service.subscribe(vapid_public_key(VAPID))
    with connect(postgres_url) as conn:
        conn.execute(
            "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth) VALUES (%s, %s, %s, %s)",
            (str(user_id), sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"]),
        )
        conn.commit()
    return sub


def test_the_payload_reaches_every_browser_and_a_gone_one_is_removed(
    fn: ModuleType, push_service: FakePushService, postgres_url: str, company: str
) -> None:
    user = account(postgres_url, "company_admin", company_id=company)
    laptop, phone = browser(postgres_url, push_service, user.id), browser(postgres_url, push_service, user.id)
    row = dispatched(postgres_url, review_requested(company, str(user.id)))["push"]
    assert row["status"] == "queued", row["reason"]
    assert fn.handler(sqs_batch(message_for(row)), LambdaContext()) == {"batchItemFailures": []}
    for sub in (laptop, phone):
        (message,) = push_service.messages(sub["endpoint"].rsplit("/", 1)[1])
        assert message.data == row["content"]["payload"]  # decrypted: exactly what was rendered
        assert message.data["title"] and message.data["url"].startswith("https://app.example.ru/")
    assert rows(postgres_url, "SELECT status FROM notification_deliveries WHERE id = %s", row["id"]) == [
        {"status": "sent"}
    ]

    for sub in (laptop, phone):
        push_service.expire(sub["endpoint"].rsplit("/", 1)[1])  # the user cleared both browsers
    again = dispatched(postgres_url, review_requested(company, str(user.id)))["push"]
    assert fn.handler(sqs_batch(message_for(again)), LambdaContext()) == {"batchItemFailures": []}
    assert rows(postgres_url, "SELECT 1 FROM push_subscriptions WHERE user_id = %s", user.id) == []
    final = rows(postgres_url, "SELECT status, reason FROM notification_deliveries WHERE id = %s", again["id"])[0]
    assert final == {"status": "suppressed", "reason": "no push subscription"}
