"""Domain events and searches in ClickHouse (shared.analytics_events) against localcloud's ClickHouse
server (chdb behind its HTTP interface): recording, redelivery counted once, the report queries, the
tables' TTL and partitions, RecordEventsFunction's handler, and the search function recording its
searches without waiting for ClickHouse or failing when it is down."""

from __future__ import annotations

import base64
import copy
import json
import random
import statistics
import string
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from shared import analytics_events
from shared.analytics import clickhouse_client
from shared.analytics_events import (
    DOMAIN_EVENT_COLUMNS,
    SEARCH_COLUMNS,
    DailyEventCount,
    events_per_day,
    record_domain_events,
    record_search,
    search_recorder,
    top_search_queries,
    zero_result_searches,
)
from shared.events import EventEnvelope
from shared.http import deps as http_deps
from shared.identity.guard import Principal
from shared.settings import Settings, get_settings
from support import LambdaContext, event, load_function

pytestmark = pytest.mark.integration


def _settings(url: str) -> Settings:
    return Settings(database_url="postgresql://unused", redis_url="redis://unused", clickhouse_url=url)


@pytest.fixture
def ch(clickhouse_url: str) -> Any:
    return clickhouse_client(_settings(clickhouse_url))


def _kind() -> str:
    """An event type no other test uses (the server is shared by the session)."""
    return "company.t" + "".join(random.choices(string.ascii_lowercase, k=12))


def _envelope(kind: str, at: datetime, **changes: Any) -> EventEnvelope[dict[str, Any]]:
    fields: dict[str, Any] = {
        "event_type": kind,
        "aggregate_type": "company",
        "aggregate_id": str(uuid.uuid4()),
        "version": 1,
        "timestamp": at,
        "payload": {"name": "ПлатёжПро", "industry": "fintech"},
    }
    fields.update(changes)
    return EventEnvelope(**fields)


def _recent(days_ago: int = 3, hour: int = 12) -> datetime:
    """A moment well inside the 90-day TTL, on a whole hour."""
    day = datetime.now(UTC).date() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


# --- tables ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "engine", "order"),
    [
        ("domain_events", "ReplacingMergeTree", "ORDER BY (event_type, ts, event_id)"),
        ("search_queries", "MergeTree", "ORDER BY ts"),
    ],
)
def test_tables_are_partitioned_by_month_and_keep_90_days(ch: Any, table: str, engine: str, order: str) -> None:
    ddl = str(ch.command(f"SHOW CREATE TABLE {table}"))
    assert f"ENGINE = {engine}" in ddl
    assert "PARTITION BY toYYYYMM(ts)" in ddl
    assert order in ddl
    assert "TTL toDateTime(ts) + toIntervalDay(90)" in ddl


@pytest.mark.parametrize(
    ("table", "columns"), [("domain_events", DOMAIN_EVENT_COLUMNS), ("search_queries", SEARCH_COLUMNS)]
)
def test_insert_column_types_match_the_table(ch: Any, table: str, columns: tuple[tuple[str, str], ...]) -> None:
    described = {name: kind for name, kind, *_ in ch.query(f"DESCRIBE TABLE {table}").result_rows}
    assert {name: described[name] for name, _ in columns} == dict(columns)


# --- domain events -----------------------------------------------------------------------------


def test_events_are_recorded_with_their_envelope(ch: Any) -> None:
    kind = _kind()
    at = datetime.now(UTC).replace(microsecond=123000)
    first = _envelope(kind, at, actor="user-1", correlation_id="req-7", payload={"name": "Ёлка", "n": 1})
    second = _envelope(kind, at, version=2, aggregate_id=first.aggregate_id, causation_id=str(first.event_id))
    assert record_domain_events(ch, [first, second]) == 2
    rows = ch.query(
        "SELECT event_id, aggregate_type, aggregate_id, version, actor, correlation_id, causation_id, ts, payload "
        "FROM domain_events FINAL WHERE event_type = {k:String} ORDER BY version",
        parameters={"k": kind},
    ).result_rows
    assert [r[0] for r in rows] == [first.event_id, second.event_id]
    _, aggregate_type, aggregate_id, version, actor, correlation, causation, ts, payload = rows[0]
    assert (aggregate_type, aggregate_id, version, actor, correlation, causation) == (
        "company",
        first.aggregate_id,
        1,
        "user-1",
        "req-7",
        "",
    )
    assert ts.replace(tzinfo=UTC) == at
    assert json.loads(payload) == {"name": "Ёлка", "n": 1}
    assert rows[1][6] == str(first.event_id)
    assert record_domain_events(ch, []) == 0


def test_a_redelivered_batch_is_counted_once(ch: Any) -> None:
    kind = _kind()
    at = _recent()
    batch = [_envelope(kind, at + timedelta(minutes=i)) for i in range(5)]
    window: dict[str, Any] = {"since": at, "until": at + timedelta(hours=1), "event_types": [kind]}
    record_domain_events(ch, batch)
    record_domain_events(ch, batch)  # the trigger retried the whole batch
    record_domain_events(ch, [*batch[3:], batch[0], batch[0]])  # redelivered, cut differently
    assert events_per_day(ch, **window) == [DailyEventCount(at.date(), kind, 5)]
    assert (
        ch.command("SELECT count() FROM domain_events FINAL WHERE event_type = {k:String}", parameters={"k": kind}) == 5
    )
    # Background merges drop the copies on disk too (forced here rather than waited for).
    ch.command("OPTIMIZE TABLE domain_events FINAL")
    assert ch.command("SELECT count() FROM domain_events WHERE event_type = {k:String}", parameters={"k": kind}) == 5


def test_events_per_type_per_day(ch: Any) -> None:
    created, updated = _kind(), _kind()
    day1 = _recent(days_ago=10, hour=9)
    late = _recent(days_ago=10, hour=22)  # 22:00 UTC is already the next day in Moscow (UTC+3)
    day2 = _recent(days_ago=9, hour=9)
    events = [
        _envelope(created, day1),
        _envelope(created, day1 + timedelta(minutes=5)),
        _envelope(updated, late),
        _envelope(created, day2),
        _envelope(updated, day2),
        _envelope(updated, day2 + timedelta(hours=1)),
    ]
    record_domain_events(ch, events)
    window: dict[str, Any] = {"since": day1, "until": day2 + timedelta(days=1), "event_types": [created, updated]}
    d1, d2 = day1.date(), day2.date()
    assert events_per_day(ch, **window) == sorted(
        [
            DailyEventCount(d1, created, 2),
            DailyEventCount(d1, updated, 1),
            DailyEventCount(d2, created, 1),
            DailyEventCount(d2, updated, 2),
        ],
        key=lambda c: (c.day, c.event_type),
    )
    assert events_per_day(ch, **window, timezone="Europe/Moscow") == sorted(
        [DailyEventCount(d1, created, 2), DailyEventCount(d2, created, 1), DailyEventCount(d2, updated, 3)],
        key=lambda c: (c.day, c.event_type),
    )
    # The window is [since, until): the second day's 09:00 events are out when it ends there.
    assert events_per_day(ch, since=day1, until=day2, event_types=[created]) == [DailyEventCount(d1, created, 2)]
    # Without a type filter every type is reported, ours among them.
    everything = events_per_day(ch, since=day1, until=day2 + timedelta(days=1))
    assert {c for c in everything if c.event_type in (created, updated)} == set(events_per_day(ch, **window))


# --- searches ----------------------------------------------------------------------------------


def _quiet_window() -> tuple[datetime, datetime]:
    """A one-minute window, some weeks back, that no other test writes searches into."""
    start = _recent(days_ago=random.randint(20, 60), hour=0) + timedelta(minutes=random.randint(0, 24 * 60 - 2))
    return start, start + timedelta(minutes=1)


def test_a_search_is_recorded(ch: Any) -> None:
    user = f"user-{uuid.uuid4()}"
    record_search(
        ch,
        user_id=user,
        query="платёжный сервис",
        filters={"industry": "fintech", "city": "Москва"},
        results=7,
        took_ms=3.25,
    )
    rows = ch.query(
        "SELECT query, filters, results, took_ms, ts FROM search_queries WHERE user_id = {u:String}",
        parameters={"u": user},
    ).result_rows
    ((query, filters, results, took_ms, ts),) = rows
    assert (query, json.loads(filters), results, took_ms) == (
        "платёжный сервис",
        {"city": "Москва", "industry": "fintech"},
        7,
        3.25,
    )
    assert abs((datetime.now(UTC) - ts.replace(tzinfo=UTC)).total_seconds()) < 60


def test_top_queries_and_searches_that_found_nothing(ch: Any) -> None:
    since, until = _quiet_window()
    searches = [  # (user, query, results)
        ("u1", "Платёжный  сервис ", 12),
        ("u2", "платежный сервис", 10),
        ("u2", "платежный сервис", 8),
        ("u1", "CRM для HoReCa", 0),
        ("u3", "crm для horeca", 0),
        ("u3", "логистика", 4),
        ("u1", "квантовый маркетинг", 0),
    ]
    for i, (user, query, results) in enumerate(searches):
        at = since + timedelta(seconds=i)
        record_search(ch, user_id=user, query=query, filters={}, results=results, took_ms=2.0, at=at)
    record_search(ch, user_id="u9", query="логистика", filters={}, results=0, took_ms=1.0, at=until)  # outside

    top = top_search_queries(ch, since=since, until=until)
    assert [(s.query, s.searches, s.users, s.avg_results) for s in top] == [
        ("платежный сервис", 3, 2, 10.0),
        ("crm для horeca", 2, 2, 0.0),
        ("квантовый маркетинг", 1, 1, 0.0),  # ties: the most recent first
        ("логистика", 1, 1, 4.0),
    ]
    assert top[0].last_searched_at == since + timedelta(seconds=2)
    assert [s.query for s in top_search_queries(ch, since=since, until=until, limit=2)] == [
        "платежный сервис",
        "crm для horeca",
    ]

    nothing = zero_result_searches(ch, since=since, until=until)
    assert [(s.query, s.searches, s.users) for s in nothing] == [
        ("crm для horeca", 2, 2),
        ("квантовый маркетинг", 1, 1),
    ]


# --- RecordEventsFunction --------------------------------------------------------------------


@pytest.fixture
def record_events(clickhouse_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("ALGOARTS_DATABASE_URL", "postgresql://unused@127.0.0.1:1/unused")
    monkeypatch.setenv("ALGOARTS_REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("ALGOARTS_CLICKHOUSE_URL", clickhouse_url)
    get_settings.cache_clear()
    yield load_function("analytics", "record_events")
    get_settings.cache_clear()


def _kafka_event(*envelopes: EventEnvelope[dict[str, Any]] | bytes) -> dict[str, Any]:
    """The sample MSK/self-managed Kafka event (events/kafka/company_created.json) with these values."""
    sample = event("kafka/company_created")
    template = sample["records"]["company.events-0"][0]
    records = []
    for offset, item in enumerate(envelopes):
        record = copy.deepcopy(template)
        value = item if isinstance(item, bytes) else item.model_dump_json().encode()
        record.update(offset=offset, value=base64.b64encode(value).decode())
        records.append(record)
    sample["records"] = {"company.events-0": records}
    return sample


def _sample_envelope(kind: str) -> EventEnvelope[dict[str, Any]]:
    """The sample event's own envelope, made new (its id) and recent (inside the TTL)."""
    record = event("kafka/company_created")["records"]["company.events-0"][0]
    envelope = EventEnvelope[dict[str, Any]].model_validate_json(base64.b64decode(record["value"]))
    return envelope.model_copy(update={"event_id": uuid.uuid4(), "event_type": kind, "timestamp": datetime.now(UTC)})


def test_the_handler_records_a_batch_once_however_often_it_is_delivered(record_events: Any, ch: Any) -> None:
    kind = _kind()
    first, second = _sample_envelope(kind), _sample_envelope(kind)
    kafka = _kafka_event(first, second)
    assert record_events.handler(kafka, LambdaContext()) == {"records": 2, "recorded": 2}
    assert record_events.handler(kafka, LambdaContext()) == {"records": 2, "recorded": 2}  # redelivered
    today = datetime.now(UTC)
    counts = events_per_day(ch, since=today - timedelta(days=1), until=today + timedelta(days=1), event_types=[kind])
    assert counts == [DailyEventCount(today.date(), kind, 2)]
    stored = ch.query(
        "SELECT aggregate_id, payload FROM domain_events FINAL WHERE event_id = {id:UUID}",
        parameters={"id": first.event_id},
    ).result_rows
    assert stored == [
        (first.aggregate_id, json.dumps(first.payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True))
    ]


def test_an_unreadable_record_fails_the_batch_naming_it(record_events: Any, ch: Any) -> None:
    kind = _kind()
    good = _sample_envelope(kind)
    with pytest.raises(record_events.UnreadableRecord, match=r"company\.events-0@1 is not an event envelope"):
        record_events.handler(_kafka_event(good, b'{"event_type": "company.created"}'), LambdaContext())
    # Nothing of the failed batch was written: the retry or the dead letter carries all of it.
    assert ch.command("SELECT count() FROM domain_events WHERE event_type = {k:String}", parameters={"k": kind}) == 0


def test_an_empty_batch_is_a_no_op(record_events: Any) -> None:
    warm_up = {"eventSource": "SelfManagedKafka", "records": {}}  # the local cloud's warm-up call
    assert record_events.handler(warm_up, LambdaContext()) == {"records": 0, "recorded": 0}


# --- the search function ------------------------------------------------------------------------


def _search_event(principal: Principal, q: str) -> dict[str, Any]:
    ev = event("http/search_companies", queryStringParameters={"q": q}, rawQueryString=f"q={q}")
    ev["requestContext"]["authorizer"] = {"lambda": principal.as_context()}
    return ev


def _principal() -> Principal:
    now = int(time.time())
    return Principal(
        user_id=str(uuid.uuid4()),
        email="analyst@example.ru",
        roles=("platform_admin",),  # the admin plan's rate limit: the overhead test sends 200 searches
        permissions=("company:read",),
        company_id=None,
        jti=str(uuid.uuid4()),
        iat=now,
        exp=now + 900,
    )


@pytest.fixture
def search_function(
    postgres_url: str, redis_url: str, clickhouse_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    monkeypatch.setenv("ALGOARTS_DATABASE_URL", postgres_url)
    monkeypatch.setenv("ALGOARTS_REDIS_URL", redis_url)
    monkeypatch.setenv("ALGOARTS_CLICKHOUSE_URL", clickhouse_url)
    get_settings.cache_clear()
    yield load_function("search", "search_companies")
    get_settings.cache_clear()


def test_each_search_is_recorded_with_the_caller(search_function: Any, ch: Any) -> None:
    principal = _principal()
    response = search_function.handler(_search_event(principal, "платежи"), LambdaContext())
    assert response["statusCode"] == 200
    hits = json.loads(response["body"])["total"]
    recorder = search_recorder(get_settings())
    assert recorder is not None and recorder.flush(timeout=10)
    rows = ch.query(
        "SELECT query, filters, results, took_ms FROM search_queries WHERE user_id = {u:String}",
        parameters={"u": principal.user_id},
    ).result_rows
    ((query, filters, results, took_ms),) = rows
    assert (query, filters, results) == ("платежи", "{}", hits)
    assert 0 < took_ms < 10_000


def test_search_answers_when_clickhouse_is_down(
    search_function: Any, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALGOARTS_CLICKHOUSE_URL", f"http://default:secret@127.0.0.1:{closed_port}/default")
    get_settings.cache_clear()
    warnings: list[str] = []
    monkeypatch.setattr(analytics_events.logger, "warning", lambda msg, *a, **kw: warnings.append(msg))
    started = time.perf_counter()
    response = search_function.handler(_search_event(_principal(), "логистика"), LambdaContext())
    elapsed_ms = (time.perf_counter() - started) * 1000
    assert response["statusCode"] == 200
    recorder = search_recorder(get_settings())
    assert recorder is not None and recorder.flush(timeout=30)
    assert recorder.failed >= 1 and recorder.recorded == 0
    assert warnings == ["search analytics unavailable: searches not recorded"] * len(warnings) and warnings
    assert elapsed_ms < 1000  # the answer did not wait for the failed connection


def test_recording_adds_at_most_a_few_ms_to_a_search(
    search_function: Any, ch: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Warm searches alternately with recording on (ClickHouse configured) and off (not configured)."""
    principal = _principal()
    with_ch = get_settings()
    without_ch = with_ch.model_copy(update={"clickhouse_url": None})
    recorder = search_recorder(with_ch)
    assert recorder is not None
    timings: dict[bool, list[float]] = {True: [], False: []}
    for i in range(100 + 10):
        for recording in (True, False):
            settings = with_ch if recording else without_ch
            # The caller dependency hands the handler its settings (shared/http/deps.py).
            monkeypatch.setattr(http_deps, "get_settings", lambda s=settings: s)
            started = time.perf_counter()
            response = search_function.handler(_search_event(principal, "платежи"), LambdaContext())
            elapsed = (time.perf_counter() - started) * 1000
            assert response["statusCode"] == 200
            if i >= 10:  # the first ten rounds warm up connections and caches
                timings[recording].append(elapsed)
    assert recorder.flush(timeout=30)
    overhead = statistics.median(timings[True]) - statistics.median(timings[False])
    print(
        f"search p50 with recording {statistics.median(timings[True]):.2f} ms, "
        f"without {statistics.median(timings[False]):.2f} ms, overhead {overhead:.2f} ms"
    )
    assert overhead < 5.0  # measured: about 0.1 ms (a synchronous insert into chdb costs 10-15 ms)
    recorded = ch.command(
        "SELECT count() FROM search_queries WHERE user_id = {u:String}", parameters={"u": principal.user_id}
    )
    assert recorded == 110


def test_recorded_window_helpers_accept_naive_utc(ch: Any) -> None:
    """Report callers may pass naive datetimes: they are read as UTC, like the envelope's timestamps."""
    kind = _kind()
    at = _recent(days_ago=5)
    record_domain_events(ch, [_envelope(kind, at)])
    naive = at.replace(tzinfo=None)
    assert events_per_day(ch, since=naive, until=naive + timedelta(minutes=1), event_types=[kind]) == [
        DailyEventCount(date(at.year, at.month, at.day), kind, 1)
    ]
