"""Delivery on a real Postgres, with a channel function of the test's own (the channel clients are tested
against their stand-ins elsewhere): sent once, a duplicate message skipped, another sender's claim respected,
retryable kept queued and logged, permanent failed, Telegram's ChannelClosed turning the channel off, push
fanned out to every browser; then the deferred rows released and the daily digest built, both idempotent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from shared.db import connect
from shared.discovery.events import OutreachReviewRequested
from shared.events import EventEnvelope
from shared.notifications import store
from shared.notifications.deliver import deliver, deliver_push
from shared.notifications.digest import build_digests, release_due
from shared.notifications.dispatch import dispatch
from shared.notifications.errors import ChannelClosed, PermanentDelivery, RetryableDelivery
from shared.settings import Settings

pytestmark = pytest.mark.integration

APP = "https://app.example.ru"
NOON = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
LATE = datetime(2026, 12, 3, 20, 30, tzinfo=UTC)  # 23:30 in Moscow


class Channel:
    """A channel function: records what it was asked to send, and raises what the test scripts."""

    def __init__(self, *failures: Exception | None) -> None:
        self.failures = list(failures)
        self.sent: list[Any] = []

    def __call__(self, *content: Any) -> None:
        failure = self.failures.pop(0) if self.failures else None
        if failure is not None:
            raise failure
        self.sent.append(content[0] if len(content) == 1 else content)


@pytest.fixture
def settings(postgres_url: str) -> Settings:
    return Settings(database_url=postgres_url, redis_url="redis://127.0.0.1:1/0", public_app_url=APP)


@pytest.fixture
def made(pg: Any) -> Iterator[dict[str, list[str]]]:
    ids: dict[str, list[str]] = {"users": [], "companies": []}
    yield ids
    pg.rollback()
    pg.execute("DELETE FROM users WHERE id = ANY(%s::uuid[])", (ids["users"],))
    pg.execute("DELETE FROM companies WHERE id = ANY(%s::uuid[])", (ids["companies"],))
    pg.commit()


def _company(pg: Any, made: dict[str, list[str]], name: str) -> str:
    company_id = str(uuid.uuid4())
    pg.execute(
        "INSERT INTO companies (id, name, slug, industry) VALUES (%s, %s, %s, 'fintech')",
        (company_id, name, f"d-{uuid.uuid4().hex}"),
    )
    made["companies"].append(company_id)
    return company_id


def _user(pg: Any, made: dict[str, list[str]], company_id: str, **settings: Any) -> str:
    user_id = str(uuid.uuid4())
    pg.execute(
        "INSERT INTO users (id, email, password_hash, full_name, company_id) VALUES (%s, %s, 'x', 'Анна', %s)",
        (user_id, f"{uuid.uuid4().hex[:8]}@example.ru", company_id),
    )
    if settings:
        names = list(settings)
        pg.execute(
            f"INSERT INTO notification_settings (user_id, {', '.join(names)}) VALUES (%s{', %s' * len(names)})",
            [user_id, *settings.values()],
        )
    made["users"].append(user_id)
    return user_id


def _subscribe(pg: Any, user_id: str) -> str:
    row = pg.execute(
        "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth) "
        "VALUES (%s, %s, 'k', 'a') RETURNING id::text AS id",
        (user_id, f"http://127.0.0.1:9/push/{uuid.uuid4().hex}"),
    ).fetchone()
    return str(row["id"])


def _event(company_id: str, user_ids: list[str], subject: str = "Интеграция") -> EventEnvelope[Any]:
    return EventEnvelope(
        event_type="outreach.review_requested",
        aggregate_type="discovery",
        aggregate_id=str(uuid.uuid4()),
        version=1,
        payload=OutreachReviewRequested(
            kind="outreach_review_requested",
            discovery_id=str(uuid.uuid4()),
            company_id=company_id,
            partner_company_id=None,
            user_ids=user_ids,
            subject=subject,
            review_deadline=datetime(2026, 12, 6, 9, 0, tzinfo=UTC),
            links={"review": "/v1/discoveries/x"},  # type: ignore[arg-type]
        ),
    )


def _token(user_id: str, kind: str) -> str:
    return f"t-{user_id}-{kind}"


def _queued(pg: Any, settings: Settings, made: dict[str, list[str]], **user_settings: Any) -> dict[str, str]:
    """A review request dispatched to one new user at noon: channel -> delivery id of the queued rows."""
    company = _company(pg, made, "Альфа")
    user = _user(pg, made, company, **user_settings)
    pg.commit()
    result = dispatch(pg, settings, [_event(company, [user])], now=NOON, unsubscribe_token=_token)
    return {row["channel"]: row["delivery_id"] for row in result.to_enqueue} | {"user": user}


def _row(pg: Any, delivery_id: str) -> dict[str, Any]:
    row = pg.execute("SELECT * FROM notification_deliveries WHERE id = %s", (delivery_id,)).fetchone()
    pg.commit()
    return dict(row)


def _log(pg: Any, delivery_id: str) -> list[tuple[str, str | None]]:
    rows = pg.execute(
        "SELECT outcome, reason FROM notification_attempts WHERE delivery_id = %s ORDER BY id", (delivery_id,)
    ).fetchall()
    pg.commit()
    return [(r["outcome"], r["reason"]) for r in rows]


def test_sent_once_and_a_duplicate_message_sends_nothing(pg: Any, settings: Settings, made: Any) -> None:
    email = _queued(pg, settings, made)["email"]
    channel = Channel()
    outcome = deliver(pg, settings, email, channel)
    assert (outcome.status, outcome.reason) == ("sent", None)
    assert len(channel.sent) == 1 and channel.sent[0]["subject"] == "Черновик письма ждёт вашей проверки"
    row = _row(pg, email)
    assert (row["status"], row["attempts"], row["reason"]) == ("sent", 1, None) and row["sent_at"] is not None

    duplicate = deliver(pg, settings, email, channel)
    assert (duplicate.status, duplicate.reason) == ("skipped", "already sent")
    assert len(channel.sent) == 1
    assert _log(pg, email) == [("sent", None), ("skipped", "already sent")]
    assert deliver(pg, settings, str(uuid.uuid4()), channel).status == "skipped"


def test_another_senders_claim_is_respected_until_its_lease_ends(pg: Any, settings: Settings, made: Any) -> None:
    email = _queued(pg, settings, made)["email"]
    with connect(settings.database_url) as other:  # another sender claimed it and is talking to SMTP
        assert store.claim(other, email, 120) is not None
        other.commit()
    channel = Channel()
    with pytest.raises(RetryableDelivery) as caught:
        deliver(pg, settings, email, channel)
    assert caught.value.reason == "another sender is delivering it" and caught.value.retry_after
    assert 100 < caught.value.retry_after <= 120
    assert channel.sent == []
    # That sender died mid-send: once its lease is over the retried message delivers it.
    assert deliver(pg, settings, email, channel, lease_seconds=0).status == "sent"
    assert _row(pg, email)["attempts"] == 2
    assert _log(pg, email) == [("retry", "another sender is delivering it"), ("sent", None)]


def test_retryable_stays_queued_is_logged_and_propagates(pg: Any, settings: Settings, made: Any) -> None:
    email = _queued(pg, settings, made)["email"]
    channel = Channel(RetryableDelivery("421 try later", retry_after=30), RuntimeError("socket closed"))
    with pytest.raises(RetryableDelivery, match="421"):
        deliver(pg, settings, email, channel)
    row = _row(pg, email)
    assert (row["status"], row["reason"], row["attempts"]) == ("queued", "421 try later", 1)
    with pytest.raises(RuntimeError):  # a bug or unforeseen error: retried too, never lost
        deliver(pg, settings, email, channel)
    assert _row(pg, email)["reason"] == "RuntimeError: socket closed"
    # the redriven message is delivered normally
    assert deliver(pg, settings, email, channel).status == "sent"
    assert _row(pg, email)["attempts"] == 3
    assert [outcome for outcome, _ in _log(pg, email)] == ["retry", "retry", "sent"]


def test_permanent_failure_is_failed_with_the_reason(pg: Any, settings: Settings, made: Any) -> None:
    email = _queued(pg, settings, made)["email"]
    outcome = deliver(pg, settings, email, Channel(PermanentDelivery("550 mailbox unavailable")))
    assert (outcome.status, outcome.reason) == ("failed", "550 mailbox unavailable")
    row = _row(pg, email)
    assert (row["status"], row["reason"], row["sent_at"]) == ("failed", "550 mailbox unavailable", None)
    assert _log(pg, email) == [("failed", "550 mailbox unavailable")]
    assert deliver(pg, settings, email, Channel()).status == "skipped"


def test_telegram_channel_closed_turns_the_channel_off(pg: Any, settings: Settings, made: Any) -> None:
    chat = int(uuid.uuid4().int % 10**12)
    rows = _queued(pg, settings, made, telegram_chat_id=chat)
    outcome = deliver(pg, settings, rows["telegram"], Channel(ChannelClosed("403 bot was blocked by the user")))
    assert outcome.status == "failed"
    user = pg.execute(
        "SELECT telegram_chat_id, telegram_disabled_reason FROM notification_settings WHERE user_id = %s",
        (rows["user"],),
    ).fetchone()
    assert (user["telegram_chat_id"], user["telegram_disabled_reason"]) == (chat, "403 bot was blocked by the user")
    # the next notification does not try Telegram
    company = _company(pg, made, "Бета")
    pg.commit()
    event = _event(company, [rows["user"]])
    dispatch(pg, settings, [event], now=NOON, unsubscribe_token=_token)
    reason = pg.execute(
        "SELECT status, reason FROM notification_deliveries WHERE dedup_key = %s",
        (f"{event.event_id}:{rows['user']}:telegram",),
    ).fetchone()
    assert (reason["status"], reason["reason"]) == (
        "suppressed",
        "Telegram turned off: 403 bot was blocked by the user",
    )


def test_push_goes_to_every_browser_and_drops_the_gone_ones(pg: Any, settings: Settings, made: Any) -> None:
    company = _company(pg, made, "Гамма")
    user = _user(pg, made, company)
    for _ in range(3):
        _subscribe(pg, user)
    pg.commit()
    first, _second, third = (sub["id"] for sub in store.push_subscriptions(pg, user))  # the order they are tried
    pg.commit()
    result = dispatch(pg, settings, [_event(company, [user])], now=NOON, unsubscribe_token=_token)
    push = next(r["delivery_id"] for r in result.to_enqueue if r["channel"] == "push")
    channel = Channel(None, ChannelClosed("410 Gone"), RetryableDelivery("503"))
    outcome = deliver_push(pg, settings, push, channel)
    assert (outcome.status, outcome.reason) == ("sent", "1 of 3 browsers")
    assert [sub["id"] for sub, payload in channel.sent] == [first]
    assert channel.sent[0][1]["url"].startswith(f"{APP}/discoveries/")
    left = pg.execute(
        "SELECT id::text AS id, last_success_at FROM push_subscriptions WHERE user_id = %s ORDER BY created_at, id",
        (user,),
    ).fetchall()
    pg.commit()
    assert {r["id"] for r in left} == {first, third}
    assert next(r for r in left if r["id"] == first)["last_success_at"] is not None


def test_push_with_every_browser_gone_is_suppressed_and_retryable_propagates(
    pg: Any, settings: Settings, made: Any
) -> None:
    company = _company(pg, made, "Дельта")
    user = _user(pg, made, company)
    _subscribe(pg, user)
    pg.commit()
    result = dispatch(pg, settings, [_event(company, [user])], now=NOON, unsubscribe_token=_token)
    push = next(r["delivery_id"] for r in result.to_enqueue if r["channel"] == "push")
    with pytest.raises(RetryableDelivery):
        deliver_push(pg, settings, push, Channel(RetryableDelivery("push service 503")))
    assert (_row(pg, push)["status"], _row(pg, push)["reason"]) == ("queued", "push service 503")
    outcome = deliver_push(pg, settings, push, Channel(ChannelClosed("404 Not Found")))
    assert (outcome.status, outcome.reason) == ("suppressed", "no push subscription")
    assert pg.execute("SELECT count(*) AS n FROM push_subscriptions WHERE user_id = %s", (user,)).fetchone()["n"] == 0
    assert _log(pg, push)[-1] == ("failed", "no push subscription left: 404 Not Found")


def test_deferred_rows_are_released_when_quiet_hours_end(pg: Any, settings: Settings, made: Any) -> None:
    company = _company(pg, made, "Эпсилон")
    user = _user(pg, made, company, quiet_start=time(22), quiet_end=time(8))
    pg.commit()
    event = _event(company, [user])
    result = dispatch(pg, settings, [event], now=LATE, unsubscribe_token=_token)
    assert result.to_enqueue == [] and result.deliveries["deferred"] == 1  # email (telegram, push: no address)
    morning = datetime(2026, 12, 4, 5, 0, tzinfo=UTC)

    mine = f"{event.event_id}:{user}:email"
    assert mine not in [r["dedup_key"] for r in release_due(pg, morning - timedelta(minutes=1))]
    released = [r for r in release_due(pg, morning) if r["dedup_key"] == mine]
    assert len(released) == 1 and released[0]["channel"] == "email"
    row = _row(pg, released[0]["delivery_id"])
    assert (row["status"], row["enqueued_at"]) == ("queued", None)
    # not enqueued yet (the run died): the next run hands it back; once enqueued, never again
    assert mine in [r["dedup_key"] for r in release_due(pg, morning)]
    store.mark_enqueued(pg, [released[0]["delivery_id"]])
    pg.commit()
    assert mine not in [r["dedup_key"] for r in release_due(pg, morning + timedelta(hours=1))]
    assert deliver(pg, settings, released[0]["delivery_id"], Channel()).status == "sent"


def test_the_daily_digest_gathers_the_days_emails_once(pg: Any, settings: Settings, made: Any) -> None:
    company = _company(pg, made, "Дзета")
    user = _user(pg, made, company, digest=True)
    pg.commit()
    events = [_event(company, [user], subject=f"Письмо {n}") for n in range(3)]
    dispatch(pg, settings, events, now=NOON, unsubscribe_token=_token)
    waiting = pg.execute(
        "SELECT id::text AS id FROM notification_deliveries WHERE user_id = %s AND status = 'digest'", (user,)
    ).fetchall()
    pg.commit()
    assert len(waiting) == 3

    # 09:00 in Moscow the next day by the database's clock: the deliveries' created_at is its NOW(), not NOON.
    evening = (datetime.now(UTC) + timedelta(days=1)).replace(hour=6, minute=0, second=0, microsecond=0)
    day = evening.date()  # 06:00 UTC is the same date in Moscow
    built = [r for r in build_digests(pg, settings, evening, unsubscribe_token=_token) if r["dedup_key"].endswith(
        f"{user}:{day.isoformat()}")]  # fmt: skip
    assert [r["dedup_key"] for r in built] == [f"digest:{user}:{day.isoformat()}"]
    digest = _row(pg, built[0]["delivery_id"])
    assert (digest["status"], digest["channel"], digest["kind"], digest["event_id"]) == (
        "queued",
        "email",
        "digest",
        None,
    )
    content = digest["content"]
    assert content["items"] == 3 and content["subject"] == f"Сводка за {day:%d.%m.%Y}: 3 уведомл."
    assert content["unsubscribe_url"] == f"{APP}/v1/notifications/unsubscribe?token=t-{user}-*"
    for n in range(3):
        assert f"«Письмо {n}»" in content["text"] and f"«Письмо {n}»" in content["html"]
    statuses = pg.execute(
        "SELECT status, count(*) AS n FROM notification_deliveries WHERE user_id = %s AND channel = 'email' "
        "GROUP BY status ORDER BY status",
        (user,),
    ).fetchall()
    pg.commit()
    assert [(r["status"], r["n"]) for r in statuses] == [("digested", 3), ("queued", 1)]

    # A second run the same day writes nothing; a notification arriving after the digest waits for tomorrow's.
    late = _event(company, [user], subject="Позднее")
    dispatch(pg, settings, [late], now=evening, unsubscribe_token=_token)
    store.mark_enqueued(pg, [built[0]["delivery_id"]])
    pg.commit()
    again = build_digests(pg, settings, evening + timedelta(hours=2), unsubscribe_token=_token)
    assert [r for r in again if user in r["dedup_key"]] == []
    assert _row(pg, built[0]["delivery_id"])["content"] == content
    assert (
        pg.execute(
            "SELECT status FROM notification_deliveries WHERE dedup_key = %s", (f"{late.event_id}:{user}:email",)
        ).fetchone()["status"]
        == "digest"
    )
    pg.commit()
    tomorrow = build_digests(pg, settings, evening + timedelta(days=1), unsubscribe_token=_token)
    assert [r["dedup_key"] for r in tomorrow if user in r["dedup_key"]] == [f"digest:{user}:{day + timedelta(days=1)}"]
