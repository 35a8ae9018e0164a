"""RecordEventsFunction (Kafka domain-event topics -> ClickHouse `domain_events`): every event of a batch is
recorded with its envelope, once however often the batch is delivered; an event type the registry does not know
is recorded as it came. A batch with an unreadable record fails naming the record, the event and the field, and
records nothing of that batch."""

from __future__ import annotations

import uuid
from types import ModuleType
from typing import Any

import pytest
from functions.calls import cold_start, company, delete, principal
from functions.stream_calls import WARMUP_KAFKA, kafka_batch, outbox_events, sample_envelope, update

from shared.analytics import clickhouse_client
from shared.events import UnreadableRecord
from shared.settings import Settings
from support import LambdaContext


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, clickhouse_url: str) -> ModuleType:
    return cold_start(monkeypatch, "analytics", "record_events", database_url="postgresql://unused",
                      redis_url="redis://unused", clickhouse_url=clickhouse_url)  # fmt: skip


@pytest.fixture
def ch(clickhouse_url: str) -> Any:
    return clickhouse_client(
        Settings(database_url="postgresql://x", redis_url="redis://x", clickhouse_url=clickhouse_url)
    )


def recorded(ch: Any, aggregate_id: object) -> list[tuple[Any, ...]]:
    rows = ch.query(
        "SELECT event_type, version, correlation_id FROM domain_events FINAL WHERE aggregate_id = {a:String} "
        "ORDER BY version",
        parameters={"a": str(aggregate_id)},
    ).result_rows
    return [tuple(r) for r in rows]


def test_a_companys_events_are_recorded_once_however_often_delivered(
    fn: ModuleType, ch: Any, postgres_url: str, redis_url: str
) -> None:
    owner = principal("paid_user")
    created = company(postgres_url, redis_url, owner)
    update(postgres_url, redis_url, owner, created.id, employees_count=12)
    delete(postgres_url, redis_url, owner, str(created.id))
    envelopes = outbox_events(postgres_url, created.id)
    batch = kafka_batch(*envelopes)
    assert fn.handler(batch, LambdaContext()) == {"records": 3, "recorded": 3}
    assert fn.handler(batch, LambdaContext()) == {"records": 3, "recorded": 3}  # redelivered
    expected = [(e["event_type"], e["version"], e["correlation_id"] or "") for e in envelopes]
    assert [t for t, _, _ in expected] == ["company.created", "company.updated", "company.deleted"]
    assert recorded(ch, created.id) == expected


def test_an_event_type_the_registry_does_not_know_is_recorded_as_it_came(fn: ModuleType, ch: Any) -> None:
    aggregate = str(uuid.uuid4())
    envelope = {**sample_envelope(), "event_id": str(uuid.uuid4()), "event_type": "company.rated",
                "aggregate_id": aggregate, "payload": {"stars": 5}}  # fmt: skip
    assert fn.handler(kafka_batch(envelope), LambdaContext()) == {"records": 1, "recorded": 1}
    assert recorded(ch, aggregate) == [("company.rated", 1, "req-1")]


def test_an_unreadable_record_fails_the_batch_naming_event_and_field(fn: ModuleType, ch: Any) -> None:
    aggregate = str(uuid.uuid4())
    good = {**sample_envelope(), "event_id": str(uuid.uuid4()), "aggregate_id": aggregate}
    bad = {**sample_envelope(), "event_id": str(uuid.uuid4()), "aggregate_id": aggregate, "version": 2}
    del bad["payload"]["company"]["slug"]
    with pytest.raises(UnreadableRecord) as failed:
        fn.handler(kafka_batch(good, bad), LambdaContext())
    message = str(failed.value)
    assert "company.events-0@1" in message and "company.created" in message and bad["event_id"] in message
    assert "payload.company.slug" in message
    assert recorded(ch, aggregate) == []  # the retry or the dead letter carries the whole batch


def test_the_warm_up_batch_touches_no_server(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    nowhere = f"http://default:x@127.0.0.1:{closed_port}/default"
    fn = cold_start(monkeypatch, "analytics", "record_events", database_url="postgresql://unused",
                    redis_url="redis://unused", clickhouse_url=nowhere)  # fmt: skip
    assert fn.handler(WARMUP_KAFKA, LambdaContext()) == {"records": 0, "recorded": 0}
