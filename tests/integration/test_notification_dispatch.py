"""The dispatcher on a real Postgres: recipients by each kind's rule, preferences (exact kind over '*', the
defaults), quiet hours and the digest as delivery states, the inbox, redelivery writing nothing, the rows left
for enqueue, an unknown type and a broken template. Each test builds its own companies and users and removes
them (their notification rows go with them: ON DELETE CASCADE)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.discovery.events import OutreachReviewRequested
from shared.events import EventEnvelope, parse_event
from shared.notifications import render as render_module
from shared.notifications import store
from shared.notifications.dispatch import UnknownNotification, dispatch
from shared.notifications.dispatch import enqueue as dispatch_enqueue
from shared.notifications.render import RenderFailed
from shared.settings import Settings

pytestmark = pytest.mark.integration

APP = "https://app.example.ru"
# 23:30 in Moscow: inside a 22:00-08:00 window, which ends at 05:00 UTC the next day.
LATE = datetime(2026, 12, 3, 20, 30, tzinfo=UTC)
MORNING = datetime(2026, 12, 4, 5, 0, tzinfo=UTC)


def token(user_id: str, kind: str) -> str:
    """A stand-in signer (the real one is shared.notifications.tokens): visible in the URL it makes."""
    return f"signed-{user_id}-{kind}"


class World:
    """Companies and users made for one test, removed after it."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.companies: list[str] = []
        self.users: list[str] = []

    def company(self, name: str, owner_id: str | None = None) -> str:
        company_id = str(uuid.uuid4())
        self.conn.execute(
            "INSERT INTO companies (id, name, slug, industry, owner_id) VALUES (%s, %s, %s, 'fintech', %s)",
            (company_id, name, f"n-{uuid.uuid4().hex}", owner_id),
        )
        self.companies.append(company_id)
        return company_id

    def user(self, name: str | None, *, company_id: str | None = None, active: bool = True, **settings: Any) -> str:
        user_id = str(uuid.uuid4())
        self.conn.execute(
            "INSERT INTO users (id, email, password_hash, full_name, company_id, is_active) "
            "VALUES (%s, %s, 'x', %s, %s, %s)",
            (user_id, f"{uuid.uuid4().hex[:8]}@example.ru", name, company_id, active),
        )
        if settings:
            names = list(settings)
            self.conn.execute(
                f"INSERT INTO notification_settings (user_id, {', '.join(names)}) VALUES (%s{', %s' * len(names)})",
                [user_id, *settings.values()],
            )
        self.users.append(user_id)
        return user_id

    def prefer(self, user_id: str, kind: str, channel: str, enabled: bool) -> None:
        self.conn.execute(
            "INSERT INTO notification_preferences (user_id, kind, channel, enabled) VALUES (%s, %s, %s, %s)",
            (user_id, kind, channel, enabled),
        )

    def push_subscription(self, user_id: str) -> str:
        row = self.conn.execute(
            "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth) "
            "VALUES (%s, %s, 'key', 'auth') RETURNING id::text AS id",
            (user_id, f"http://127.0.0.1:9/push/{uuid.uuid4().hex}"),
        ).fetchone()
        return str(row["id"])

    def email_of(self, user_id: str) -> str:
        return str(self.conn.execute("SELECT email FROM users WHERE id = %s", (user_id,)).fetchone()["email"])

    def remove(self) -> None:
        self.conn.rollback()
        if self.users:
            self.conn.execute("DELETE FROM users WHERE id = ANY(%s::uuid[])", (self.users,))
        if self.companies:
            self.conn.execute("DELETE FROM companies WHERE id = ANY(%s::uuid[])", (self.companies,))
        self.conn.commit()


@pytest.fixture
def world(pg: Any) -> Iterator[World]:
    made = World(pg)
    try:
        yield made
    finally:
        made.remove()


@pytest.fixture
def settings(postgres_url: str) -> Settings:
    return Settings(database_url=postgres_url, redis_url="redis://127.0.0.1:1/0", public_app_url=APP)


def review_request(company_id: str, partner_id: str, user_ids: list[str]) -> EventEnvelope[Any]:
    return EventEnvelope(
        event_type="outreach.review_requested",
        aggregate_type="discovery",
        aggregate_id=str(uuid.uuid4()),
        version=1,
        actor="agent:discovery",
        payload=OutreachReviewRequested(
            kind="outreach_review_requested",
            discovery_id=str(uuid.uuid4()),
            company_id=company_id,
            partner_company_id=partner_id,
            user_ids=user_ids,
            subject="Интеграция платежей",
            review_deadline=datetime(2026, 12, 6, 9, 0, tzinfo=UTC),
            links={"review": "/v1/discoveries/x"},  # type: ignore[arg-type]
        ),
    )


def deliveries(conn: Any, event_id: object) -> dict[tuple[str, str], dict[str, Any]]:
    rows = conn.execute(
        "SELECT * FROM notification_deliveries WHERE event_id = %s ORDER BY dedup_key", (str(event_id),)
    ).fetchall()
    conn.commit()
    return {(str(r["user_id"]), r["channel"]): r for r in rows}


def inbox(conn: Any, event_id: object) -> dict[str, dict[str, Any]]:
    rows = conn.execute("SELECT * FROM notifications WHERE event_id = %s", (str(event_id),)).fetchall()
    conn.commit()
    return {str(r["user_id"]): r for r in rows}


def test_a_review_request_to_two_users_with_different_preferences(pg: Any, world: World, settings: Settings) -> None:
    mine = world.company("Моя <b>компания</b>")
    partner = world.company("Партнёр")
    # Anna: Russian, Telegram linked, review emails off for this kind, every push off ('*').
    anna = world.user("Анна", company_id=mine, telegram_chat_id=int(uuid.uuid4().int % 10**12), telegram_linked_at=LATE)
    world.prefer(anna, "outreach_review_requested", "email", False)
    world.prefer(anna, "*", "push", False)
    world.push_subscription(anna)
    # Boris: English, quiet hours at night in Moscow, daily digest, a browser, in-app off for '*' but on for this kind.
    boris = world.user(None, company_id=mine, language="en", quiet_start=time(22), quiet_end=time(8), digest=True)
    world.push_subscription(boris)
    world.prefer(boris, "*", "inapp", False)
    world.prefer(boris, "outreach_review_requested", "inapp", True)
    gone = world.user("Бывший", company_id=mine, active=False)
    pg.commit()
    event = review_request(mine, partner, [anna, boris, gone, str(uuid.uuid4())])

    result = dispatch(pg, settings, [event], now=LATE, unsubscribe_token=token)

    rows = deliveries(pg, event.event_id)
    assert set(rows) == {(u, c) for u in (anna, boris) for c in ("email", "telegram", "push")}
    status = {key: (row["status"], row["reason"]) for key, row in rows.items()}
    assert status[(anna, "email")] == ("suppressed", "turned off by preference")
    assert status[(anna, "telegram")] == ("queued", None)
    assert status[(anna, "push")] == ("suppressed", "turned off by preference")
    assert status[(boris, "email")] == ("digest", "waits for the daily digest")
    assert status[(boris, "telegram")] == ("suppressed", "no linked Telegram chat")
    assert status[(boris, "push")] == ("deferred", "quiet hours")
    assert rows[(boris, "push")]["deliver_after"] == MORNING
    assert rows[(anna, "telegram")]["dedup_key"] == f"{event.event_id}:{anna}:telegram"

    telegram = rows[(anna, "telegram")]["content"]
    assert set(telegram) == {"chat_id", "html"} and telegram["chat_id"] > 0
    assert "«Моя &lt;b&gt;компания&lt;/b&gt;»" in telegram["html"] and "«Партнёр»" in telegram["html"]
    email = rows[(boris, "email")]["content"]
    assert email["to"] == world.email_of(boris) and email["language"] == "en"
    assert email["subject"] == "An outreach draft to Партнёр awaits your review"
    assert (
        email["unsubscribe_url"] == f"{APP}/v1/notifications/unsubscribe?token=signed-{boris}-outreach_review_requested"
    )
    assert "Hello there," in email["text"]  # no name: a greeting without one
    assert email["unsubscribe_url"].replace("&", "&amp;") in email["html"]
    assert rows[(boris, "push")]["content"]["payload"]["url"] == f"{APP}/discoveries/{event.payload.discovery_id}"
    assert rows[(anna, "email")]["content"] == {}  # nothing to send, nothing kept

    items = inbox(pg, event.event_id)
    assert set(items) == {anna, boris}  # exact kind beats '*'; the inactive and the unknown user get nothing
    assert items[anna]["title"] == "Черновик письма для «Партнёр» ждёт проверки"
    assert items[boris]["title"] == "An outreach draft to Партнёр awaits your review"
    assert items[anna]["link"] == f"{APP}/discoveries/{event.payload.discovery_id}"

    assert result.notified == 1 and result.inbox == 2
    assert result.deliveries == {"suppressed": 3, "queued": 1, "digest": 1, "deferred": 1}
    assert [r["dedup_key"] for r in result.to_enqueue] == [f"{event.event_id}:{anna}:telegram"]


def test_redelivery_writes_nothing_and_reenqueues_only_what_no_queue_took(
    pg: Any, world: World, settings: Settings
) -> None:
    mine = world.company("Альфа")
    partner = world.company("Бета")
    anna = world.user("Анна", company_id=mine, telegram_chat_id=int(uuid.uuid4().int % 10**12))
    world.push_subscription(anna)
    pg.commit()
    event = review_request(mine, partner, [anna])
    first = dispatch(pg, settings, [event], now=LATE - timedelta(hours=12), unsubscribe_token=token)
    assert sorted(r["channel"] for r in first.to_enqueue) == ["email", "push", "telegram"]
    before = deliveries(pg, event.event_id)

    # The dispatcher died before enqueueing: the redelivered event writes nothing and returns the same rows.
    again = dispatch(pg, settings, [event], now=LATE, unsubscribe_token=token)
    assert again.inbox == 0 and not again.deliveries
    assert again.to_enqueue == first.to_enqueue
    assert deliveries(pg, event.event_id) == before
    assert len(inbox(pg, event.event_id)) == 1

    # Once a queue took email and telegram, a further redelivery hands back only push.
    store.mark_enqueued(pg, [r["delivery_id"] for r in first.to_enqueue if r["channel"] != "push"])
    pg.commit()
    third = dispatch(pg, settings, [event, event], now=LATE, unsubscribe_token=token)
    assert [r["channel"] for r in third.to_enqueue] == ["push"]


def test_an_unknown_type_on_notification_events_raises_others_are_ignored(
    pg: Any, world: World, settings: Settings
) -> None:
    mine = world.company("Гамма")
    anna = world.user("Анна", company_id=mine)
    pg.commit()
    known = review_request(mine, mine, [anna])
    unknown = parse_event(
        {
            "event_type": "outreach.something_new",
            "aggregate_type": "discovery",
            "aggregate_id": "d",
            "version": 1,
            "payload": {"user_ids": [anna]},
        }
    )
    with pytest.raises(UnknownNotification) as caught:
        dispatch(pg, settings, [known, unknown], now=LATE, unsubscribe_token=token)
    assert caught.value.event_type == "outreach.something_new"
    assert str(unknown.event_id) in str(caught.value)
    assert len(deliveries(pg, known.event_id)) == 3  # the event before it in the batch is written (and idempotent)

    ignored = [
        parse_event(
            {
                "event_type": "company.renamed_someday",
                "aggregate_type": "company",
                "aggregate_id": mine,
                "version": 2,
                "payload": {},
            }
        ),
        parse_event(
            {
                "event_type": "partnership.archived_someday",
                "aggregate_type": "partnership",
                "aggregate_id": "p",
                "version": 1,
                "payload": {},
            }
        ),
    ]
    result = dispatch(pg, settings, ignored, now=LATE, unsubscribe_token=token)
    assert (result.ignored, result.notified, result.to_enqueue) == (2, 0, [])


def test_a_broken_template_writes_nothing_of_its_event(
    pg: Any, world: World, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = world.company("Дельта")
    anna = world.user("Анна", company_id=mine)
    boris = world.user("Boris", company_id=mine, language="en")
    pg.commit()
    for path in render_module.TEMPLATES.rglob("*"):
        if path.is_file():
            target = tmp_path / path.relative_to(render_module.TEMPLATES)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    # Only the English Telegram message is broken: Anna's Russian one renders, and still nothing is written.
    (tmp_path / "outreach_review_requested/en.tg.html").write_text("{{ payload.no_such_field }}", "utf-8")
    monkeypatch.setattr(render_module, "TEMPLATES", tmp_path)
    render_module._environment.cache_clear()
    event = review_request(mine, mine, [anna, boris])
    try:
        with pytest.raises(RenderFailed, match="no_such_field"):
            dispatch(pg, settings, [event], now=LATE, unsubscribe_token=token)
    finally:
        monkeypatch.undo()
        render_module._environment.cache_clear()
    assert deliveries(pg, event.event_id) == {}
    assert inbox(pg, event.event_id) == {}


def _status_changed(partnership_id: str, a: str, b: str, actor: str | None) -> EventEnvelope[Any]:
    now = datetime(2026, 12, 3, 10, tzinfo=UTC).isoformat()
    return parse_event(
        {
            "event_type": "partnership.status_changed",
            "aggregate_type": "partnership",
            "aggregate_id": partnership_id,
            "version": 3,
            "actor": actor,
            "payload": {
                "from": "contacted",
                "to": "in_discussion",
                "partnership": {
                    "id": partnership_id,
                    "company_a_id": a,
                    "company_b_id": b,
                    "compatibility_score": 0.8,
                    "analysis_method": "offline",
                    "analysis_timestamp": now,
                    "status": "in_discussion",
                    "version": 3,
                    "created_at": now,
                    "updated_at": now,
                },
            },
        }
    )


def test_a_partnership_change_tells_the_other_company(pg: Any, world: World, settings: Settings) -> None:
    a_owner = world.user("Владелец А")
    a = world.company("Альфа", owner_id=a_owner)
    actor = world.user("Анна", company_id=a)
    a_colleague = world.user("Коллега", company_id=a)
    b_owner = world.user("Владелец Б")
    b = world.company("Бета", owner_id=b_owner)
    b_member = world.user("Борис", company_id=b, language="en")
    pg.commit()
    partnership_id = str(uuid.uuid4())

    by_a = _status_changed(partnership_id, a, b, actor)
    dispatch(pg, settings, [by_a], now=LATE - timedelta(hours=12), unsubscribe_token=token)
    told = inbox(pg, by_a.event_id)
    assert set(told) == {b_owner, b_member}
    assert told[b_member]["title"] == "Альфа changed a partnership's status"
    assert told[b_owner]["body"] == "«Альфа» и «Бета»: было «первый контакт», стало «переговоры»."
    channels = deliveries(pg, by_a.event_id)
    assert channels[(b_member, "email")]["reason"] == "turned off by preference"  # off by default for this kind

    # The owner of B acts through ownership, not membership: A's people are told.
    by_b = _status_changed(partnership_id, a, b, b_owner)
    dispatch(pg, settings, [by_b], now=LATE - timedelta(hours=12), unsubscribe_token=token)
    assert set(inbox(pg, by_b.event_id)) == {a_owner, actor, a_colleague}

    # The system moved it (the discovery chain): both sides, and nobody is named as the mover.
    by_system = _status_changed(partnership_id, a, b, "system:discovery")
    dispatch(pg, settings, [by_system], now=LATE - timedelta(hours=12), unsubscribe_token=token)
    both = inbox(pg, by_system.event_id)
    assert set(both) == {a_owner, actor, a_colleague, b_owner, b_member}
    assert both[b_member]["title"] == "A partnership's status changed"


def test_a_verified_company_tells_its_owner_and_members(pg: Any, world: World, settings: Settings) -> None:
    owner = world.user("Владелец")
    mine = world.company("Эпсилон", owner_id=owner)
    member = world.user("Сотрудник", company_id=mine)
    world.user("Чужой", company_id=world.company("Другая"))
    pg.commit()
    company = {
        "id": mine, "slug": "epsilon", "name": "Эпсилон", "industry": "fintech", "is_verified": True, "version": 2,
        "created_at": LATE.isoformat(), "updated_at": LATE.isoformat(),
    }  # fmt: skip
    legal = {"legal_name": 'ООО "ЭПСИЛОН"', "legal_address": "Москва", "ogrn": "1027700229193", "kpp": None,
             "legal_status": "active"}  # fmt: skip
    event = parse_event(
        {
            "event_type": "company.verified",
            "aggregate_type": "company",
            "aggregate_id": mine,
            "version": 2,
            "payload": {"legal": legal, "source": "dadata", "company": company},
        }
    )
    result = dispatch(pg, settings, [event], now=LATE - timedelta(hours=12), unsubscribe_token=token)
    assert set(inbox(pg, event.event_id)) == {owner, member}
    rows = deliveries(pg, event.event_id)
    assert rows[(owner, "email")]["status"] == "queued"
    assert rows[(owner, "email")]["content"]["subject"] == "Компания «Эпсилон» подтверждена по ЕГРЮЛ"
    assert rows[(member, "telegram")]["reason"] == "turned off by preference"  # off by default for this kind
    assert sorted(r["channel"] for r in result.to_enqueue) == ["email", "email"]


@pytest.fixture(scope="module")
def sqs_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """MiniStack (the AWS emulator of the local cloud) on a free loopback port, for its SQS; stopped by PID.
    (tests/servers.py has no emulator fixture: this module starts its own.)"""
    from localcloud import process
    from localcloud.paths import CACHE_DIR
    from localcloud.servers import ministack
    from servers import free_ports

    build_dir = ministack.build(CACHE_DIR)
    base = tmp_path_factory.mktemp("ministack")
    data_dir = base / "data"
    data_dir.mkdir()
    (port,) = free_ports(1)
    ministack.prepare(build_dir, data_dir, port, {})
    argv, env = ministack.command(build_dir, data_dir, port, {})
    pid = process.spawn(argv, base / "ministack.log", env=env)
    try:
        process.wait_ready("ministack", pid, base / "ministack.log", lambda: ministack.is_ready(port), 60.0)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stop(pid, timeout=30.0)


def test_enqueue_sends_each_row_to_its_channels_queue_and_marks_it(
    pg: Any, world: World, settings: Settings, sqs_endpoint: str
) -> None:
    import json

    import boto3

    sqs = boto3.client(
        "sqs", endpoint_url=sqs_endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test",
    )  # fmt: skip
    urls = {
        c: sqs.create_queue(QueueName=f"notify-{c}-{uuid.uuid4().hex[:6]}")["QueueUrl"]
        for c in ("email", "telegram", "push")
    }
    settings = settings.model_copy(update={f"notification_{c}_queue_url": u for c, u in urls.items()})
    mine = world.company("Сигма")
    chat = 10**11 + int(uuid.uuid4().int % 10**9) * 10
    users = [world.user(f"Пользователь {n}", company_id=mine, telegram_chat_id=chat + n) for n in range(6)]
    pg.commit()
    event = review_request(mine, mine, users)
    result = dispatch(pg, settings, [event], now=LATE - timedelta(hours=12), unsubscribe_token=token)
    assert len(result.to_enqueue) == 12  # email + telegram for each of six (no browser: push suppressed)

    assert dispatch_enqueue(sqs, settings, result.to_enqueue, conn=pg) == 12
    bodies: dict[str, list[dict[str, Any]]] = {}
    for channel, url in urls.items():
        bodies[channel] = []
        while True:
            answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            if not answer.get("Messages"):
                break
            bodies[channel] += [json.loads(m["Body"]) for m in answer["Messages"]]
    assert bodies["push"] == []
    for channel in ("email", "telegram"):
        assert sorted(b["dedup_key"] for b in bodies[channel]) == sorted(
            f"{event.event_id}:{u}:{channel}" for u in users
        )
        assert all(
            set(b) == {"delivery_id", "dedup_key", "channel"} and b["channel"] == channel for b in bodies[channel]
        )
    rows = deliveries(pg, event.event_id)
    assert all(r["enqueued_at"] is not None for r in rows.values() if r["status"] == "queued")
    # the redelivered event has nothing left to enqueue
    assert dispatch(pg, settings, [event], now=LATE, unsubscribe_token=token).to_enqueue == []


def test_enqueue_without_a_queue_url_refuses_and_marks_nothing(pg: Any, world: World, settings: Settings) -> None:
    mine = world.company("Тау")
    anna = world.user("Анна", company_id=mine)
    pg.commit()
    event = review_request(mine, mine, [anna])
    rows = dispatch(pg, settings, [event], now=LATE - timedelta(hours=12), unsubscribe_token=token).to_enqueue
    with pytest.raises(RuntimeError, match="ALGOARTS_NOTIFICATION_EMAIL_QUEUE_URL"):
        dispatch_enqueue(None, settings, rows, conn=pg)
    assert all(r["enqueued_at"] is None for r in deliveries(pg, event.event_id).values())


def test_a_fan_out_larger_than_a_slice_writes_every_recipient_once(
    pg: Any, world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.notifications import dispatch as dispatch_module

    monkeypatch.setattr(dispatch_module, "CHUNK", 7)
    mine = world.company("Омега")
    users = [world.user(f"Сотрудник {n}", company_id=mine, language="en" if n % 3 else "ru") for n in range(20)]
    pg.commit()
    event = review_request(mine, mine, users)
    result = dispatch(pg, settings, [event], now=LATE - timedelta(hours=12), unsubscribe_token=token)
    assert result.inbox == 20 and sum(result.deliveries.values()) == 60
    rows = deliveries(pg, event.event_id)
    assert {u for u, _ in rows} == set(users)
    assert {rows[(u, "email")]["content"]["unsubscribe_url"].rsplit("=", 1)[1] for u in users} == {
        f"signed-{u}-outreach_review_requested" for u in users
    }
    assert len(result.to_enqueue) == 20  # email only: no Telegram chat, no browser
