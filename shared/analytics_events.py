"""Domain events and searches recorded in ClickHouse for reporting, and the questions the product asks.

Two writers:

* `record_domain_events`: RecordEventsFunction's batch from the Kafka topics, one insert per
  invocation into `domain_events` (shared/migrations/clickhouse/0002_domain_events.sql). Kafka
  delivers at least once, so the table is a ReplacingMergeTree keyed by the event's own fields
  ending in event_id: a redelivered event lands on the same key and is collapsed, at query time by
  FINAL (every reader here uses it) and on disk by background merges. Counting is therefore exact
  whether or not a merge has run. (A dedup check before inserting would need a read per batch and
  still race with a concurrent redelivery; an insert deduplication token only catches a batch
  repeated byte for byte, while a redelivered batch may be cut differently.)
* `record_search` / `SearchRecorder`: one row per search into `search_queries`. The search
  function hands its row to a `SearchRecorder`, whose one background thread inserts it, so neither
  a slow nor a down ClickHouse reaches the user's answer: the row is sent after the answer is built
  and a failure is a logged warning, never an error. The inserts ask for ClickHouse's asynchronous
  inserts without waiting (`async_insert=1, wait_for_async_insert=0`): the server acknowledges once
  the row is in its buffer and writes many searches as one part. The cost is that a search is
  best-effort analytics: on Lambda a row still pending when the handler returns is sent when the
  environment next runs, and lost if the environment is retired first; rows in the server's buffer
  are lost if the server crashes before flushing them.

Every table keeps 90 days (TTL, seed "Data Layer"); search rows hold the user id and the text typed,
and are gone with them.
"""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import BaseModel

from shared.events import EventEnvelope
from shared.settings import Settings

logger = Logger(service="algoarts", child=True)

DOMAIN_EVENTS = "domain_events"
SEARCH_QUERIES = "search_queries"

# Column types are given with every insert so that clickhouse-connect does not ask the server for
# the table's description first (one round trip saved per insert); a test checks them against
# DESCRIBE TABLE.
DOMAIN_EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "UUID"),
    ("event_type", "LowCardinality(String)"),
    ("aggregate_type", "LowCardinality(String)"),
    ("aggregate_id", "String"),
    ("version", "UInt32"),
    ("actor", "String"),
    ("correlation_id", "String"),
    ("causation_id", "String"),
    ("ts", "DateTime64(3, 'UTC')"),
    ("payload", "String"),
)
SEARCH_COLUMNS: tuple[tuple[str, str], ...] = (
    ("query_id", "UUID"),
    ("user_id", "String"),
    ("query", "String"),
    ("filters", "String"),
    ("results", "UInt32"),
    ("took_ms", "Float32"),
    ("ts", "DateTime64(3, 'UTC')"),
)

# Plain synchronous inserts: the Kafka batch is already a batch, and the function must know that it
# was written before the trigger commits the offsets (chdb, the local ClickHouse, turns
# async_insert on by default, so it is spelled out).
_BATCH_INSERT = {"async_insert": 0}
# Searches arrive one by one from many function instances: let the server buffer them.
_BUFFERED_INSERT = {"async_insert": 1, "wait_for_async_insert": 0}

# A search text as the reports group it: trimmed, runs of blanks as one space, lower case, ё as е.
_NORMALIZED_QUERY = "replaceAll(lowerUTF8(trimBoth(replaceRegexpAll(query, '\\\\s+', ' '))), 'ё', 'е')"


def _utc(moment: datetime) -> datetime:
    """An aware datetime (naive ones are taken as UTC, as the envelope's timestamps are)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


# --- writers -----------------------------------------------------------------------------------


def record_domain_events(client: Any, envelopes: Sequence[EventEnvelope[Any]]) -> int:
    """Insert a batch of events in one statement; returns how many distinct events were sent.

    Safe to repeat with the same events (see the module's note): readers count each event once.
    """
    unique = list({e.event_id: e for e in envelopes}.values())
    if not unique:
        return 0
    rows = [
        [
            e.event_id,
            e.event_type,
            e.aggregate_type,
            e.aggregate_id,
            e.version,
            e.actor or "",
            e.correlation_id or "",
            e.causation_id or "",
            _utc(e.timestamp),
            _json(e.payload.model_dump(mode="json") if isinstance(e.payload, BaseModel) else e.payload),
        ]
        for e in unique
    ]
    _insert(client, DOMAIN_EVENTS, DOMAIN_EVENT_COLUMNS, rows, _BATCH_INSERT)
    return len(rows)


@dataclass(frozen=True)
class SearchRecord:
    user_id: str
    query: str
    filters: dict[str, Any]
    results: int
    took_ms: float
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    query_id: uuid.UUID = field(default_factory=uuid.uuid4)


def record_searches(client: Any, records: Sequence[SearchRecord], *, wait: bool = True) -> int:
    """Insert searches in one statement. `wait=False` returns once the server has buffered them."""
    if not records:
        return 0
    rows = [
        [r.query_id, r.user_id, r.query, _json(r.filters), max(0, r.results), float(r.took_ms), _utc(r.at)]
        for r in records
    ]
    _insert(client, SEARCH_QUERIES, SEARCH_COLUMNS, rows, _BATCH_INSERT if wait else _BUFFERED_INSERT)
    return len(rows)


def record_search(
    client: Any,
    *,
    user_id: str,
    query: str,
    filters: dict[str, Any],
    results: int,
    took_ms: float,
    at: datetime | None = None,
    wait: bool = True,
) -> None:
    """Insert one search (synchronously; the search function uses a `SearchRecorder` instead)."""
    record = SearchRecord(user_id, query, filters, results, took_ms, at=at or datetime.now(UTC))
    record_searches(client, [record], wait=wait)


def _insert(
    client: Any, table: str, columns: tuple[tuple[str, str], ...], rows: list[list[Any]], settings: dict[str, int]
) -> None:
    client.insert(
        table,
        rows,
        column_names=[name for name, _ in columns],
        column_type_names=[kind for _, kind in columns],
        settings=settings,
    )


class SearchRecorder:
    """Sends search rows to ClickHouse from one daemon thread; `submit` never blocks and never raises.

    Rows waiting when ClickHouse is slow are bounded (`max_pending`; beyond it new rows are dropped
    with a warning), and whatever has queued up meanwhile goes out in the next insert.
    """

    def __init__(self, client: Callable[[], Any], *, max_pending: int = 1000, max_batch: int = 500) -> None:
        self._client = client
        self._queue: queue.Queue[SearchRecord] = queue.Queue(max_pending)
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._progress = threading.Condition(self._lock)
        self._submitted = 0
        self._handled = 0
        self._thread: threading.Thread | None = None
        self.recorded = 0
        self.failed = 0
        self.dropped = 0

    def submit(self, record: SearchRecord) -> bool:
        """Queue a row for the background insert; False when it was dropped (too many pending)."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="search-analytics", daemon=True)
                self._thread.start()
            try:
                self._queue.put_nowait(record)
                self._submitted += 1
                return True
            except queue.Full:
                self.dropped += 1
                dropped = self.dropped
        if dropped == 1 or dropped % 100 == 0:
            logger.warning("search analytics backlog full: searches dropped", extra={"dropped": dropped})
        return False

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every row submitted so far has been sent or given up; False on timeout."""
        with self._progress:
            target = self._submitted
            return self._progress.wait_for(lambda: self._handled >= target, timeout)

    def _run(self) -> None:
        while True:
            records = [self._queue.get()]
            while len(records) < self._max_batch:
                try:
                    records.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            ok = False
            try:
                record_searches(self._client(), records, wait=False)
                ok = True
            except Exception as exc:  # analytics must never take search down with it
                logger.warning(
                    "search analytics unavailable: searches not recorded",
                    extra={"searches": len(records), "error": f"{type(exc).__name__}: {str(exc)[:300]}"},
                )
            with self._progress:
                if ok:
                    self.recorded += len(records)
                else:
                    self.failed += len(records)
                self._handled += len(records)
                self._progress.notify_all()


_recorders: dict[str, SearchRecorder] = {}
_recorders_lock = threading.Lock()


def search_recorder(settings: Settings) -> SearchRecorder | None:
    """This process's recorder for the configured ClickHouse; None when analytics is not configured."""
    url = settings.clickhouse_url
    if not url:
        return None
    with _recorders_lock:
        recorder = _recorders.get(url)
        if recorder is None:
            from shared.analytics import clickhouse_client

            recorder = _recorders[url] = SearchRecorder(lambda: clickhouse_client(settings))
    return recorder


# --- questions the product asks ----------------------------------------------------------------


@dataclass(frozen=True)
class DailyEventCount:
    day: date
    event_type: str
    events: int


@dataclass(frozen=True)
class QueryStats:
    query: str  # normalized: trimmed, single spaces, lower case, ё as е
    searches: int
    users: int
    avg_results: float
    last_searched_at: datetime


def _window(since: datetime, until: datetime | None) -> dict[str, Any]:
    return {"since": _utc(since), "until": _utc(until or datetime.now(UTC))}


def events_per_day(
    client: Any,
    *,
    since: datetime,
    until: datetime | None = None,
    event_types: Iterable[str] | None = None,
    timezone: str = "UTC",
) -> list[DailyEventCount]:
    """Events per type per calendar day (in `timezone`) in [since, until), each event counted once."""
    parameters: dict[str, Any] = {**_window(since, until), "tz": timezone}
    where = "ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}"
    if event_types is not None:
        parameters["types"] = list(event_types)
        where += " AND event_type IN {types:Array(String)}"
    result = client.query(
        "SELECT toDate(ts, {tz:String}) AS day, event_type, count() AS events "
        f"FROM {DOMAIN_EVENTS} FINAL WHERE {where} "
        "GROUP BY day, event_type ORDER BY day, event_type",
        parameters=parameters,
    )
    return [DailyEventCount(day, str(kind), int(n)) for day, kind, n in result.result_rows]


def _query_stats(client: Any, where: str, parameters: dict[str, Any]) -> list[QueryStats]:
    result = client.query(
        f"SELECT {_NORMALIZED_QUERY} AS q, count() AS searches, uniqExact(user_id) AS users, "
        "avg(results) AS avg_results, max(ts) AS last_at "
        f"FROM {SEARCH_QUERIES} "
        "WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}" + where + " "
        "GROUP BY q ORDER BY searches DESC, last_at DESC, q LIMIT {limit:UInt32}",
        parameters=parameters,
    )
    return [
        QueryStats(str(q), int(n), int(users), float(avg), _utc(last)) for q, n, users, avg, last in result.result_rows
    ]


def top_search_queries(
    client: Any, *, since: datetime, until: datetime | None = None, limit: int = 20
) -> list[QueryStats]:
    """The most frequent searches in [since, until), grouped by normalized text, most frequent first."""
    return _query_stats(client, "", {**_window(since, until), "limit": limit})


def zero_result_searches(
    client: Any, *, since: datetime, until: datetime | None = None, limit: int = 50
) -> list[QueryStats]:
    """What users searched for in [since, until) and found nothing: the catalog's gaps, most asked first."""
    return _query_stats(client, " AND results = 0", {**_window(since, until), "limit": limit})
