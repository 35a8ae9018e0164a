"""SendEmailNotificationFunction (the email queue -> SMTP): a queued delivery becomes one email in the local
SMTP server's Maildir (text and HTML, the unsubscribe headers, a Message-ID from the dedup key) and the row
`sent`; a duplicate queue message sends nothing; a 451 keeps the delivery queued, reports the item failed and
holds the message back (backoff); a 550 fails the delivery with the reason; an unreadable message fails."""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from functions.calls import account, cold_start, rows
from functions.notifications.notify_calls import Channels, deliveries, review_requested
from functions.stream_calls import sqs_batch

from localcloud.servers.smtp import LocalSmtpServer
from shared.db import connect
from shared.events import parse_event
from shared.notifications.dispatch import dispatch
from shared.settings import Settings
from support import LambdaContext


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSmtpServer]:
    with LocalSmtpServer(tmp_path_factory.mktemp("mail")) as server:
        yield server


@pytest.fixture
def fn(
    monkeypatch: pytest.MonkeyPatch,
    postgres_url: str,
    redis_url: str,
    aws_endpoint: str,
    channels: Channels,
    smtp: LocalSmtpServer,
) -> ModuleType:
    smtp.reset()
    return cold_start(
        monkeypatch, "notifications", "send_email", aws=aws_endpoint, database_url=postgres_url, redis_url=redis_url,
        smtp_host="127.0.0.1", smtp_port=str(smtp.port), smtp_starttls="false", notification_retry_base_seconds="7",
        mail_from="ALGORITHMIC ARTS <noreply@algoarts.ru>", **channels.settings(),
    )  # fmt: skip


def queued_email(postgres_url: str, company: str) -> tuple[str, dict[str, str]]:
    """A review request dispatched to a new company admin: their email delivery and its queue message."""
    user = account(postgres_url, "company_admin", company_id=company)
    envelope = review_requested(company, str(user.id))
    settings = Settings(
        database_url=postgres_url, redis_url="redis://127.0.0.1:9", public_app_url="https://app.example.ru"
    )
    with connect(postgres_url) as conn:
        dispatch(conn, settings, [parse_event(envelope)], unsubscribe_token=lambda u, k: f"token-{u}")
    row = deliveries(postgres_url, envelope["event_id"])["email"]
    assert row["status"] == "queued"
    return user.email, {"delivery_id": str(row["id"]), "dedup_key": row["dedup_key"], "channel": "email"}


def test_a_queued_email_is_sent_once(
    fn: ModuleType, smtp: LocalSmtpServer, postgres_url: str, company: str, channels: Channels
) -> None:
    to, body = queued_email(postgres_url, company)
    assert fn.handler(sqs_batch(body), LambdaContext()) == {"batchItemFailures": []}
    (received,) = smtp.received
    raw = next(p for p in (Path(smtp.maildir) / "new").iterdir() if p.name.startswith(received.key)).read_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["To"] == to and message["From"] == "ALGORITHMIC ARTS <noreply@algoarts.ru>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<https://app.example.ru/v1/notifications/unsubscribe?token=token-")
    assert message.get_content_type() == "multipart/alternative"
    text, html = (message.get_body(("plain",)), message.get_body(("html",)))
    assert text is not None and html is not None and "<a " in html.get_content()
    row = rows(
        postgres_url, "SELECT status, sent_at, attempts FROM notification_deliveries WHERE id = %s", body["delivery_id"]
    )[0]
    assert row["status"] == "sent" and row["sent_at"] is not None and row["attempts"] == 1

    assert fn.handler(sqs_batch(body), LambdaContext()) == {"batchItemFailures": []}  # a duplicate message
    assert len(smtp.received) == 1
    log = rows(
        postgres_url,
        "SELECT outcome FROM notification_attempts WHERE delivery_id = %s ORDER BY id",
        body["delivery_id"],
    )
    assert [a["outcome"] for a in log] == ["sent", "skipped"]


def test_a_temporary_refusal_is_retried_later_and_a_permanent_one_fails(
    fn: ModuleType, smtp: LocalSmtpServer, postgres_url: str, company: str, channels: Channels
) -> None:
    _, body = queued_email(postgres_url, company)
    smtp.fail_next(1, 451, "4.3.0 mailbox busy")
    event = channels.email.delivered(body, attempt=2)
    answer = fn.handler(event, LambdaContext())
    assert answer == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    row = rows(postgres_url, "SELECT status, reason FROM notification_deliveries WHERE id = %s", body["delivery_id"])[0]
    assert row["status"] == "queued" and "451" in row["reason"]
    # Held back for 2 x 7 s (the second attempt's backoff): not visible again at once.
    assert channels.email.received(wait=1) == []
    assert fn.handler(sqs_batch(body, attempt=3), LambdaContext()) == {"batchItemFailures": []}  # the retry goes
    assert len(smtp.received) == 1

    _, refused = queued_email(postgres_url, company)
    smtp.fail_next(1, 550, "5.1.1 no such mailbox")
    assert fn.handler(sqs_batch(refused), LambdaContext()) == {"batchItemFailures": []}  # not worth retrying
    row = rows(
        postgres_url, "SELECT status, reason FROM notification_deliveries WHERE id = %s", refused["delivery_id"]
    )[0]
    assert row["status"] == "failed" and "550" in row["reason"]


def test_the_last_attempt_parks_the_message_with_the_reason(
    fn: ModuleType, smtp: LocalSmtpServer, postgres_url: str, company: str, channels: Channels
) -> None:
    _, body = queued_email(postgres_url, company)
    smtp.fail_next(1, 421, "4.3.2 service shutting down")
    assert fn.handler(sqs_batch(body, attempt=5), LambdaContext()) == {"batchItemFailures": []}  # acknowledged
    (parked,) = channels.dead_letters.received()
    assert parked["reason"].startswith("email failed 5 times, the last: smtp 421")
    assert json.loads(parked["body"]) == body  # what a redrive sends back
    row = rows(postgres_url, "SELECT status FROM notification_deliveries WHERE id = %s", body["delivery_id"])[0]
    assert row["status"] == "queued"  # so the redriven message is delivered normally
    assert fn.handler(sqs_batch(json.loads(parked["body"])), LambdaContext()) == {"batchItemFailures": []}
    assert len(smtp.received) == 1


def test_an_unreadable_message_fails(fn: ModuleType) -> None:
    event = sqs_batch("not json", {"delivery_id": "x", "dedup_key": "y", "channel": "telegram"})
    failures = fn.handler(event, LambdaContext())["batchItemFailures"]
    assert [f["itemIdentifier"] for f in failures] == [r["messageId"] for r in event["Records"]]
