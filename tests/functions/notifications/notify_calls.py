"""What the notification event functions' tests share: the three channel queues in the emulator, the signing
key in its Secrets Manager, a `notification.events` envelope of a review request for some users, and the
delivery rows the dispatcher wrote."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from functions.calls import rows
from functions.stream_calls import Queue, queue

SIGNING_SECRET = f"test/notification-signing-key-{uuid.uuid4().hex[:8]}"
SIGNING_KEY = secrets.token_urlsafe(48)


@dataclass(frozen=True)
class Channels:
    email: Queue
    telegram: Queue
    push: Queue
    dead_letters: Queue  # the sender's own (each sender function has its channel's)

    def settings(self) -> dict[str, str]:
        return {
            "notification_email_queue_url": self.email.url,
            "notification_telegram_queue_url": self.telegram.url,
            "notification_push_queue_url": self.push.url,
            "notification_dead_letter_url": self.dead_letters.url,
            "notification_signing_key_secret": SIGNING_SECRET,
            "public_app_url": "https://app.example.ru",
        }


@contextmanager
def channel_queues(aws_endpoint: str) -> Iterator[Channels]:
    from localcloud.runtime import boto_session

    client = boto_session(aws_endpoint).client("secretsmanager")
    with suppress(client.exceptions.ResourceExistsException):
        client.create_secret(Name=SIGNING_SECRET, SecretString=SIGNING_KEY)
    with ExitStack() as stack:
        yield Channels(
            *(stack.enter_context(queue(aws_endpoint, f"notify-{c}")) for c in ("email", "telegram", "push", "dead"))
        )


def review_requested(company_id: str, *user_ids: str, event_type: str = "outreach.review_requested") -> dict[str, Any]:
    """The envelope RequestReview writes to notification.events (shared.discovery.steps.request_review)."""
    from shared.discovery.events import OutreachReviewRequested, ReviewLinks
    from shared.events import EventEnvelope

    discovery_id = str(uuid.uuid4())
    payload = OutreachReviewRequested(
        kind="outreach_review_requested",
        discovery_id=discovery_id,
        company_id=company_id,
        partner_company_id=None,
        user_ids=list(user_ids),
        subject="Интеграция платежей в ваш конструктор",
        review_deadline=datetime.now(UTC) + timedelta(days=7),
        links=ReviewLinks(review=f"/v1/discoveries/{discovery_id}"),
    )
    envelope = EventEnvelope(
        event_type=event_type,
        aggregate_type="discovery",
        aggregate_id=discovery_id,
        version=3,
        correlation_id=discovery_id,
        actor="agent:discovery",
        payload=payload,
    )
    return envelope.model_dump(mode="json")


def deliveries(postgres_url: str, event_id: str) -> dict[str, dict[str, Any]]:
    """The event's deliveries by channel."""
    found = rows(postgres_url, "SELECT * FROM notification_deliveries WHERE event_id = %s", event_id)
    return {r["channel"]: r for r in found}


def forget_members(postgres_url: str, company_id: str) -> None:
    """The test's accounts of the company leave it (and take their notifications), so it can be removed."""
    from shared.db import connect

    with connect(postgres_url) as conn:
        conn.execute("DELETE FROM users WHERE company_id = %s", (company_id,))
        conn.commit()


def put_secret(aws_endpoint: str, name: str, value: str) -> None:
    from localcloud.runtime import boto_session

    client = boto_session(aws_endpoint).client("secretsmanager")
    try:
        client.create_secret(Name=name, SecretString=value)
    except client.exceptions.ResourceExistsException:
        client.put_secret_value(SecretId=name, SecretString=value)


def dispatched(
    postgres_url: str, envelope: dict[str, Any], *, now: datetime | None = None
) -> dict[str, dict[str, Any]]:
    """The envelope through the dispatcher (links signed with a stand-in token): its deliveries by channel."""
    from shared.db import connect
    from shared.events import parse_event
    from shared.notifications.dispatch import dispatch
    from shared.settings import Settings

    settings = Settings(
        database_url=postgres_url, redis_url="redis://127.0.0.1:9", public_app_url="https://app.example.ru"
    )
    with connect(postgres_url) as conn:
        dispatch(conn, settings, [parse_event(envelope)], now=now, unsubscribe_token=lambda u, k: f"token-{u}")
    return deliveries(postgres_url, envelope["event_id"])


def message_for(row: dict[str, Any]) -> dict[str, str]:
    """The queue message the dispatcher sends for a delivery row."""
    return {"delivery_id": str(row["id"]), "dedup_key": row["dedup_key"], "channel": row["channel"]}


def set_notification_settings(postgres_url: str, user_id: object, **fields: Any) -> None:
    from shared.db import connect

    columns = ", ".join(fields)
    values = ", ".join(f"%({k})s" for k in fields)
    updates = ", ".join(f"{k} = EXCLUDED.{k}" for k in fields)
    with connect(postgres_url) as conn:
        conn.execute(
            f"INSERT INTO notification_settings (user_id, {columns}) VALUES (%(user_id)s, {values}) "
            f"ON CONFLICT (user_id) DO UPDATE SET {updates}",
            {"user_id": str(user_id), **fields},
        )
        conn.commit()
