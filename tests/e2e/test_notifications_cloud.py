"""Notifications through the deployed local cloud, as a BD manager meets them: a discovery's review request
arrives by email (the local SMTP server's Maildir: text and HTML, Russian, one-click unsubscribe headers), in
the linked Telegram chat (the Bot API stand-in) and in `GET /v1/notifications`; preferences decide per user
(email off, the daily digest, quiet hours that hold a message until they end and then let it go); nothing is
sent twice when an event or a queue message comes again; and the faults: an unknown notification type is
dead-lettered with the reason, a forged Telegram webhook is 401, a tampered unsubscribe token 400, and an SMTP
server that refuses is retried with backoff, then parked in the dead-letter queue and redriven.

A template that fails to render is dead-lettered the same way as an unknown type (the dispatcher raises before
writing anything): that is shown against Postgres in tests/integration/test_notification_dispatch.py, since no
valid event of the deployed templates fails to render.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest

import slice_checks as checks
from e2e_cloud import Cloud
from localcloud import mail
from localcloud.identity_setup import DEMO_ROLES
from localcloud.notify_setup import DEMO_CHAT_BASE
from localcloud.runtime import load_secrets

PROBLEM = "application/problem+json"
ADMIN_EMAIL = "company.admin@demo.algoarts.local"


@pytest.fixture(scope="module")
def company_id(embedded: Cloud) -> str:
    return str(embedded.http.get("/v1/users/me").json()["company_id"])


# --- what was sent ---------------------------------------------------------------------------------------


def emails(cloud: Cloud, to: str, containing: str) -> list[EmailMessage]:
    """Every email in the local Maildir to `to` whose text mentions `containing` (a discovery id, say)."""
    found = []
    for summary in mail.list_messages(cloud.state_dir / "mail"):
        if summary.to != to:
            continue
        message = mail.read_message(cloud.state_dir / "mail", summary.id)
        if containing in mail.body(message):
            found.append(message)
    return found


def wait_email(cloud: Cloud, to: str, containing: str, timeout: float = 30.0) -> EmailMessage:
    checks.wait_for(lambda: emails(cloud, to, containing), timeout=timeout, interval=0.3)
    (message,) = emails(cloud, to, containing)
    return message


def telegram(cloud: Cloud, chat_id: int) -> list[dict[str, Any]]:
    """What the bot sent to the chat (the Telegram stand-in's admin view)."""
    port = cloud.state.parts["telegram"].port
    key = load_secrets(cloud.state_dir)["telegram_bot_token"]
    answer = httpx.get(
        f"http://127.0.0.1:{port}/_fake/messages", params={"chat_id": chat_id}, headers={"X-Fake-Admin-Key": key}
    )
    answer.raise_for_status()
    return list(answer.json()["messages"])


def sql(cloud: Cloud, query: str, *params: Any) -> list[dict[str, Any]]:
    from psycopg.rows import dict_row

    with psycopg.connect(cloud.database_url, row_factory=dict_row) as conn:
        cursor = conn.execute(query, params)
        found = cursor.fetchall() if cursor.description else []
        conn.commit()
    return list(found)


def discovery(cloud: Cloud, company_id: str, status: str, **body: Any) -> str:
    started = cloud.http.post("/v1/discoveries", json={"company_id": company_id, **body})
    assert started.status_code == 202, started.text
    run = str(started.json()["id"])
    checks.wait_for(lambda: cloud.http.get(f"/v1/discoveries/{run}").json()["status"] == status, 60, 0.3)
    return run


def notification_event(cloud: Cloud, discovery_id: str, event_type: str) -> dict[str, Any]:
    (row,) = sql(
        cloud,
        "SELECT envelope FROM outbox WHERE message_key = %s AND envelope->>'event_type' = %s",
        discovery_id,
        event_type,
    )
    return dict(row["envelope"])


def invoke(cloud: Cloud, function: str, event: dict[str, Any]) -> dict[str, Any]:
    answer = (
        cloud.boto()
        .client("lambda")
        .invoke(FunctionName=cloud.state.functions[function], Payload=json.dumps(event).encode())
    )
    payload = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, payload
    return dict(payload)


def kafka_event(topic: str, envelope: dict[str, Any]) -> dict[str, Any]:
    record = {
        "topic": topic,
        "partition": 0,
        "offset": 0,
        "timestamp": 0,
        "timestampType": "CREATE_TIME",
        "key": base64.b64encode(str(envelope["aggregate_id"]).encode()).decode(),
        "value": base64.b64encode(json.dumps(envelope).encode()).decode(),
        "headers": [],
    }
    return {"eventSource": "SelfManagedKafka", "records": {f"{topic}-0": [record]}}


# --- 1. the review request, everywhere, once ----------------------------------------------------------------


@dataclass
class Review:
    discovery_id: str
    email: EmailMessage


@pytest.fixture(scope="module")
def review(embedded: Cloud, company_id: str) -> Review:
    run = discovery(embedded, company_id, "awaiting_review", threshold=0.5)
    return Review(run, wait_email(embedded, ADMIN_EMAIL, run))


def test_a_review_request_reaches_email_telegram_and_the_inbox(embedded: Cloud, review: Review) -> None:
    message = review.email
    assert "ждёт" in message["Subject"] and message["Content-Language"] == "ru"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    origin = embedded.state.parameters["PublicAppUrl"]
    assert message["List-Unsubscribe"].startswith(f"<{origin}/v1/notifications/unsubscribe?token=")
    text, html = mail.body(message), mail.body(message, html=True)
    link = f"{origin}/discoveries/{review.discovery_id}"
    assert link in text and f'href="{link}"' in html and "Здравствуйте" in text

    chat = DEMO_CHAT_BASE + DEMO_ROLES.index("company_admin")
    checks.wait_for(lambda: any(link in m["html"] for m in telegram(embedded, chat)), timeout=20, interval=0.3)

    inbox = embedded.http.get("/v1/notifications", params={"limit": 50}).json()
    (item,) = [i for i in inbox["items"] if i["link"] == link]
    assert item["kind"] == "outreach_review_requested" and item["read_at"] is None
    assert inbox["unread_count"] >= 1
    read = embedded.http.post(f"/v1/notifications/{item['id']}/read")
    assert read.status_code == 200 and read.json()["read_at"]


def test_an_event_or_a_queue_message_delivered_again_sends_nothing_twice(embedded: Cloud, review: Review) -> None:
    envelope = notification_event(embedded, review.discovery_id, "outreach.review_requested")
    again = invoke(embedded, "DispatchNotificationsFunction", kafka_event("notification.events", envelope))
    assert (again["inbox"], again["enqueued"]) == (0, 0)
    (email,) = sql(
        embedded,
        "SELECT d.id::text AS id, d.dedup_key FROM notification_deliveries d JOIN users u ON u.id = d.user_id "
        "WHERE d.event_id = %s AND d.channel = 'email' AND u.email = %s",
        envelope["event_id"],
        ADMIN_EMAIL,
    )
    sqs = embedded.boto().client("sqs")
    body = {"delivery_id": email["id"], "dedup_key": email["dedup_key"], "channel": "email"}
    sqs.send_message(QueueUrl=embedded.state.queues["NotificationEmailQueue"], MessageBody=json.dumps(body))
    checks.wait_for(
        lambda: (
            [
                a["outcome"]
                for a in sql(
                    embedded,
                    "SELECT outcome FROM notification_attempts WHERE delivery_id = %s ORDER BY id",
                    email["id"],
                )
            ]
            == ["sent", "skipped"]
        ),
        timeout=20,
        interval=0.3,
    )
    assert len(emails(embedded, ADMIN_EMAIL, review.discovery_id)) == 1


def test_one_click_unsubscribe_from_the_email_and_a_tampered_link(embedded: Cloud, review: Review) -> None:
    url = review.email["List-Unsubscribe"].strip("<>")
    tampered = url[:-3] + ("aaa" if not url.endswith("aaa") else "bbb")
    refused = httpx.post(tampered, data={"List-Unsubscribe": "One-Click"})
    assert refused.status_code == 400 and refused.headers["content-type"].startswith(PROBLEM)
    assert "token" in refused.text
    done = httpx.post(url, data={"List-Unsubscribe": "One-Click"})  # what a mail client does (RFC 8058)
    assert done.status_code == 200, done.text
    preferences = embedded.http.get("/v1/notifications/preferences").json()
    assert preferences["events"]["outreach_review_requested"]["email"] is False
    restored = embedded.http.put(
        "/v1/notifications/preferences", json={"events": {"outreach_review_requested": {"email": True}}}
    )
    assert restored.status_code == 200 and restored.json()["events"]["outreach_review_requested"]["email"] is True


def test_a_forged_telegram_webhook_is_refused(embedded: Cloud) -> None:
    update = {
        "update_id": 9,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "/start x"},
    }
    forged = embedded.anonymous.post(
        "/v1/notifications/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
    )
    assert forged.status_code == 401 and forged.headers["content-type"].startswith(PROBLEM)


# --- 2. preferences: email off, the digest, quiet hours --------------------------------------------------


@dataclass
class Member:
    email: str
    id: str
    http: httpx.Client


def member(cloud: Cloud, company_id: str, tag: str) -> Member:
    """A new account of the demo admin's company (a colleague who gets its notifications)."""
    email = f"notify-{tag}-{uuid.uuid4().hex[:8]}@example.ru"
    password = f"Pw-{secrets.token_urlsafe(8)}-7a"
    registered = cloud.anonymous.post(
        "/v1/auth/register", json={"email": email, "password": password, "full_name": f"Коллега {tag}"}
    )
    assert registered.status_code == 201, registered.text
    user_id = registered.json()["id"]
    sql(cloud, "UPDATE users SET company_id = %s WHERE id = %s", company_id, user_id)
    return Member(email, user_id, cloud.client_with(cloud.login(email, password)["access_token"]))


@dataclass
class Colleagues:
    email_off: Member
    digest: Member
    quiet: Member
    quiet_ends: datetime
    discovery_id: str


@pytest.fixture(scope="module")
def colleagues(embedded: Cloud, company_id: str) -> Iterator[Colleagues]:
    """Three colleagues with their own preferences, and one discovery that found nothing, which tells them all."""
    off, digest, quiet = (member(embedded, company_id, tag) for tag in ("off", "digest", "quiet"))
    assert (
        off.http.put(
            "/v1/notifications/preferences", json={"events": {"discovery_no_match": {"email": False}}}
        ).status_code
        == 200
    )
    assert digest.http.put("/v1/notifications/preferences", json={"digest": True}).status_code == 200
    now = datetime.now(ZoneInfo("Europe/Moscow"))
    ends = (now + timedelta(seconds=90)).replace(second=0, microsecond=0)  # 30-90 s away
    window = {"start": (now - timedelta(minutes=5)).strftime("%H:%M"), "end": ends.strftime("%H:%M")}
    assert (
        quiet.http.put(
            "/v1/notifications/preferences", json={"time_zone": "Europe/Moscow", "quiet_hours": window}
        ).status_code
        == 200
    )
    run = discovery(embedded, company_id, "no_match", threshold=1.0, filters={"limit": 2})
    yield Colleagues(off, digest, quiet, ends, run)
    for m in (off, digest, quiet):
        m.http.close()


def delivery(cloud: Cloud, user: Member, discovery_id: str) -> dict[str, Any]:
    (row,) = sql(
        cloud,
        "SELECT d.* FROM notification_deliveries d JOIN notifications n "
        "ON n.event_id = d.event_id AND n.user_id = d.user_id "
        "WHERE d.user_id = %s AND d.channel = 'email' AND n.link LIKE %s",
        user.id,
        f"%{discovery_id}",
    )
    return row


def test_each_colleague_is_told_as_they_chose(embedded: Cloud, colleagues: Colleagues) -> None:
    run = colleagues.discovery_id
    wait_email(embedded, ADMIN_EMAIL, run)  # the defaults: email on for "no match"
    for colleague in (colleagues.email_off, colleagues.digest, colleagues.quiet):  # every one has it in the inbox
        items = colleague.http.get("/v1/notifications").json()["items"]
        assert any(run in (i["link"] or "") and i["kind"] == "discovery_no_match" for i in items)
    off = delivery(embedded, colleagues.email_off, run)
    assert (off["status"], off["reason"]) == ("suppressed", "turned off by preference")
    assert delivery(embedded, colleagues.digest, run)["status"] == "digest"
    held = delivery(embedded, colleagues.quiet, run)
    assert held["status"] == "deferred" and held["deliver_after"] is not None
    assert emails(embedded, colleagues.email_off.email, run) == []
    assert emails(embedded, colleagues.digest.email, run) == []
    assert emails(embedded, colleagues.quiet.email, run) == []  # it waits


def test_the_daily_digest_gathers_what_was_held(embedded: Cloud, colleagues: Colleagues) -> None:
    answer = invoke(embedded, "SendDigestsFunction", checks_scheduled_event())
    assert answer["digests"] >= 1
    digest = wait_email(embedded, colleagues.digest.email, colleagues.discovery_id)
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert delivery(embedded, colleagues.digest, colleagues.discovery_id)["status"] == "digested"


def test_an_unknown_notification_type_is_dead_lettered_with_the_reason(embedded: Cloud) -> None:
    envelope = {
        "event_id": str(uuid.uuid4()),
        "event_type": "discovery.forgotten_reminder",
        "aggregate_type": "discovery",
        "aggregate_id": str(uuid.uuid4()),
        "version": 1,
        "timestamp": "2026-12-03T10:00:00Z",
        "payload": {"user_ids": []},
    }
    sql(
        embedded,
        "INSERT INTO outbox (event_id, topic, message_key, envelope) "
        "VALUES (%s, 'notification.events', %s, %s) RETURNING id",
        envelope["event_id"],
        envelope["aggregate_id"],
        json.dumps(envelope),
    )

    def parked() -> list[dict[str, Any]]:
        listed = json.loads(
            embedded.cli("dead-letters", "list", "DispatchNotificationsDeadLetters", "--json", "--limit", "50").stdout
        )
        return [m for m in listed[0]["messages"] if str(envelope["event_id"]) in json.dumps(m)]

    checks.wait_for(parked, timeout=60, interval=1.0)
    (letter,) = parked()
    reason = str(letter["reason"])
    assert "discovery.forgotten_reminder" in reason and "is not a notification kind" in reason


def test_quiet_hours_hold_the_email_until_they_end(embedded: Cloud, colleagues: Colleagues) -> None:
    """Last of the preference tests: the window set before the discovery ends within 90 s, and the
    scheduler's minutely release lets the email go then."""
    run = colleagues.discovery_id
    remaining = (colleagues.quiet_ends - datetime.now(ZoneInfo("Europe/Moscow"))).total_seconds()
    message = wait_email(embedded, colleagues.quiet.email, run, timeout=max(0.0, remaining) + 120)
    arrived = datetime.now(ZoneInfo("Europe/Moscow"))
    assert arrived >= colleagues.quiet_ends, "sent inside the recipient's quiet hours"
    assert message["Subject"]
    assert delivery(embedded, colleagues.quiet, run)["status"] == "sent"


# --- 3. SMTP down: retried with backoff, parked, redriven ----------------------------------------------


def valid_inn() -> str:
    """A 10-digit INN with a correct control digit that the register does not know (its region is 99)."""
    digits = [9, 9, *(secrets.randbelow(10) for _ in range(7))]
    weights = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    return "".join(map(str, digits)) + str(sum(d * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


def smtp_script(cloud: Cloud, command: dict[str, Any]) -> None:
    port = (cloud.state_dir / "notify" / "smtp-admin-port").read_text().strip()
    key = load_secrets(cloud.state_dir)["smtp_password"]
    answer = httpx.post(f"http://127.0.0.1:{port}/_fake/script", json=command, headers={"X-Fake-Admin-Key": key})
    assert answer.status_code == 204, answer.text


def test_an_smtp_server_that_refuses_is_retried_then_parked_and_redriven(embedded: Cloud) -> None:
    paid = embedded.client_for("paid_user")
    owner_email = embedded.demo_account("paid_user")[0]
    smtp_script(embedded, {"fail": 451, "n": 5, "message": "4.3.0 try again later", "at": "rcpt"})
    try:
        company = checks.create_company(paid, inn=valid_inn())  # its verification fails: the owner is told
        queue = "NotificationEmailDeadLetters"

        def parked() -> list[dict[str, Any]]:
            listed = json.loads(embedded.cli("dead-letters", "list", queue, "--json", "--limit", "50").stdout)
            return [m for m in listed[0]["messages"] if "451" in m["reason"]]

        checks.wait_for(parked, timeout=90, interval=1.0)  # attempts after 1, 2, 4, 8 s, parked at the 5th
        (letter,) = parked()
        assert letter["reason"].startswith("email failed 5 times, the last: smtp 451")
        assert emails(embedded, owner_email, company["name"]) == []
        redriven = embedded.cli("dead-letters", "redrive", queue, "--all")
        assert "1 redriven" in redriven.stdout, redriven.stdout
        message = wait_email(embedded, owner_email, company["name"], timeout=30)
        assert message["Subject"] == f"Компанию «{company['name']}» не удалось подтвердить"
    finally:
        smtp_script(embedded, {"reset": True})
        paid.close()


def checks_scheduled_event() -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "time": datetime.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": [],
        "detail": {},
    }
