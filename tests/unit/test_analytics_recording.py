"""RecordEventsFunction's cold start and the records it refuses before reaching ClickHouse, and the
search recorder's promises: a search never waits for, nor fails with, ClickHouse.

ClickHouse itself is exercised in tests/integration/test_analytics_events.py (the handler, the
search function and the queries against the real server). Here the URL points at a closed port,
so any attempt to reach it would fail these tests with a different error; only the recorder's
hang and backlog cases use a blocking stand-in, because a hung server cannot be made on cue.
"""

from __future__ import annotations

import base64
import threading
import time
from typing import Any

import pytest

from shared.analytics_events import SearchRecord, SearchRecorder
from shared.settings import SettingsError, get_settings
from support import LambdaContext, event, load_function

CLOSED = "http://default:secret@127.0.0.1:1/default"


@pytest.fixture
def record_events(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("ALGOARTS_CLICKHOUSE_URL", CLOSED)
    get_settings.cache_clear()
    return load_function("analytics", "record_events")


def test_cold_start_without_clickhouse_fails_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALGOARTS_CLICKHOUSE_URL", raising=False)
    get_settings.cache_clear()
    with pytest.raises(SettingsError, match="ALGOARTS_CLICKHOUSE_URL is required"):
        load_function("analytics", "record_events")


def test_a_record_that_is_not_an_envelope_fails_the_batch_naming_it(record_events: Any) -> None:
    kafka = event("kafka/company_created")
    (record,) = kafka["records"]["company.events-0"]
    bad = dict(record, offset=41, value=base64.b64encode(b'{"event_type": "company.created"}').decode())
    kafka["records"]["company.events-0"] = [record, bad]
    with pytest.raises(record_events.UnreadableRecord, match=r"company\.events-0@41 is not an event envelope") as err:
        record_events.handler(kafka, LambdaContext())
    assert "aggregate_id" in str(err.value)  # the reason names what is missing


@pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"{not json").decode()])
def test_undecodable_values_fail_the_batch(record_events: Any, value: str) -> None:
    kafka = event("kafka/company_created")
    kafka["records"]["company.events-0"][0]["value"] = value
    with pytest.raises(record_events.UnreadableRecord, match=r"company\.events-0@0"):
        record_events.handler(kafka, LambdaContext())


def test_the_warm_up_call_does_not_reach_clickhouse(record_events: Any) -> None:
    warm_up = {"eventSource": "SelfManagedKafka", "records": {}}
    assert record_events.handler(warm_up, LambdaContext()) == {"records": 0, "recorded": 0}


def _record(n: int = 0) -> SearchRecord:
    return SearchRecord(user_id="u", query=f"q{n}", filters={}, results=n, took_ms=1.0)


def test_submit_returns_at_once_while_clickhouse_hangs() -> None:
    release, calling = threading.Event(), threading.Event()

    def hung_client() -> Any:
        calling.set()
        release.wait(10)
        raise ConnectionError("gave up")

    recorder = SearchRecorder(hung_client, max_pending=3)
    started = time.perf_counter()
    accepted = [recorder.submit(_record(0))]
    assert calling.wait(5)  # the first row is in flight and its insert hangs
    accepted += [recorder.submit(_record(i)) for i in range(1, 6)]
    assert time.perf_counter() - started < 5  # the client hangs for 10 s: submit never waits for it
    # One row in flight, three wait; the other two are dropped.
    assert accepted == [True, True, True, True, False, False] and recorder.dropped == 2
    assert not recorder.flush(timeout=0.05)
    release.set()
    assert recorder.flush(timeout=5)
    assert recorder.failed == accepted.count(True) and recorder.recorded == 0


def test_a_failing_insert_is_a_warning_and_the_recorder_keeps_going(monkeypatch: pytest.MonkeyPatch) -> None:
    from shared import analytics_events

    warnings: list[dict[str, Any]] = []
    monkeypatch.setattr(analytics_events.logger, "warning", lambda msg, **kw: warnings.append(kw["extra"]))
    inserted: list[list[Any]] = []

    class Client:
        fail = True

        def insert(self, table: str, rows: list[list[Any]], **kw: Any) -> None:
            if Client.fail:
                raise ConnectionRefusedError("ClickHouse is down")
            assert table == "search_queries" and kw["settings"] == {"async_insert": 1, "wait_for_async_insert": 0}
            inserted.extend(rows)

    recorder = SearchRecorder(Client)
    assert recorder.submit(_record(1)) and recorder.flush(timeout=5)
    assert recorder.failed == 1 and warnings == [{"searches": 1, "error": "ConnectionRefusedError: ClickHouse is down"}]
    Client.fail = False
    assert recorder.submit(_record(2)) and recorder.flush(timeout=5)
    assert recorder.recorded == 1 and [row[2] for row in inserted] == ["q2"]
