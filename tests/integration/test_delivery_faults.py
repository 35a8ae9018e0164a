"""Delivery under faults: the relay and the consumers are SIGKILLed at random moments during a load of
50,000 events, and afterwards every read model equals a fresh replay of the event store.

The pipeline is the full profile's: the company write path appends each event with its outbox message;
the relay (`localcloud.relay.run`: `shared.outbox.drain` + `KafkaPublisher`) publishes to
`company.events`; `localcloud.bridge.consume` feeds ProjectCompanyFunction (Redis cache + the Postgres
search read model) and RecordEventsFunction (ClickHouse `domain_events`), each in its own consumer
group, committing offsets only after the function took the batch. Relay and consumers run as separate
processes (tests/integration/delivery_harness.py; the handlers are called in the consumer's process
instead of through Lambda), each killed with SIGKILL every 2-6 s while the load is written and
restarted after a short pause. Killing the relay between Kafka's acknowledgement and marking the batch
published makes it publish the batch again; killing a consumer between applying a batch and committing
makes Kafka deliver it again. Nothing may be lost and nothing doubled: afterwards

* the outbox has nothing unpublished and each group has committed the end of every partition;
* every event of the run is in the topic, on its aggregate's one partition, first published in version
  order, and was delivered to each function (the harness's ledger);
* the `companies` table, the search index and the Redis cache hold, for every company, exactly the
  document and version of the fold of its events (`shared.rebuild`, without snapshots);
* ClickHouse `domain_events FINAL` has exactly one row per event of the run, and no other.

Isolation from the rest of the session: a database of its own on the session's Postgres (so the outbox,
the event store and `company_search` hold only this run), Redis database 5 (flushed first), consumer
groups of its own whose offsets start at the end of `company.events` as it was before the run, and the
ClickHouse rows of this run's aggregates only. The run is seeded (`ALGOARTS_FAULTS_SEED`); the timing of
the kills against the processes' progress still varies from run to run, which is the point.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from confluent_kafka import Consumer, KafkaException, TopicPartition

from localcloud import process
from localcloud import template as tpl
from localcloud.bridge import ensure_topics
from localcloud.paths import TEMPLATE
from shared import rebuild as replay
from shared.analytics import clickhouse_client
from shared.commands import Context
from shared.companies import aggregate, service, store
from shared.companies.aggregate import CompanyState
from shared.companies.model import Company
from shared.companies.slugs import slugify
from shared.db import connect
from shared.events import TOPIC_BY_AGGREGATE
from shared.migrate import migrate_postgres
from shared.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(420)]

SEED = int(os.environ.get("ALGOARTS_FAULTS_SEED", "20240917"))
COMPANIES = 5_000
EVENTS = 50_000
BATCH = 200  # commands per transaction
LOAD_SECONDS = 40.0  # the writer's pace: the load, and so the kills, are spread over this long
KILL_EVERY_S = (2.0, 6.0)
RESTART_AFTER_S = (0.2, 1.0)
DRAIN_TIMEOUT_S = 150.0
REDIS_DB = 5
CACHE_TTL_S = 86_400  # no entry may expire during the run: every company must be in the cache
TOPIC = TOPIC_BY_AGGREGATE["company"]
FUNCTIONS = ("ProjectCompanyFunction", "RecordEventsFunction")
ROOT = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).with_name("delivery_harness.py")


def _db(url: str) -> Any:
    """A connection typed loosely: rows are dicts (shared.db.connect uses dict_row)."""
    return cast(Any, connect(url))


# --- the run's own stores ----------------------------------------------------------------------


@pytest.fixture
def fault_db(postgres_url: str) -> Iterator[str]:
    """A fresh database on the session's Postgres, every migration applied; dropped afterwards."""
    name = f"faults_{uuid.uuid4().hex[:12]}"
    with _db(postgres_url) as admin:
        admin.autocommit = True
        admin.execute(f"CREATE DATABASE {name}")
    url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        assert migrate_postgres(url)
        yield url
    finally:
        with _db(postgres_url) as admin:
            admin.autocommit = True
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def fault_redis(redis_url: str) -> str:
    import redis

    url = redis_url.rsplit("/", 1)[0] + f"/{REDIS_DB}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


# --- the processes -----------------------------------------------------------------------------


@dataclass
class Part:
    """One harness process, in its own process group, killed and restarted by the test."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    kills: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **self.env},
                cwd=ROOT,
                start_new_session=True,
            )
        self.starts += 1

    def died(self) -> str | None:
        """Why the process ended by itself (it is never meant to), or None while it runs."""
        if self.proc is None or self.proc.poll() is None:
            return None
        return (
            f"{self.name} exited with {self.proc.returncode}; last lines of {self.log}:\n{process.tail(self.log, 40)}"
        )

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.kills += 1

    def stop(self) -> None:
        """SIGTERM (a clean stop: the consumer closes, the relay finishes its drain), SIGKILL after 20 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)


def _chaos(part: Part, rng: random.Random, stop: threading.Event, failures: list[str]) -> None:
    """Kill `part` every KILL_EVERY_S, restart it RESTART_AFTER_S later, until `stop`; it runs at the end."""
    while not stop.wait(rng.uniform(*KILL_EVERY_S)):
        with part.lock:
            reason = part.died()
            if reason:
                failures.append(reason)
                return
            part.kill()
        time.sleep(rng.uniform(*RESTART_AFTER_S))
        with part.lock:
            part.start()


# --- the load ----------------------------------------------------------------------------------


class Writer:
    """Appends events through the company write path, 200 commands per transaction.

    Creates are `service.create_in_transaction`. Updates, renames, deletes, restores and failed
    verifications append through `service._commit`, the step every command ends with (event store,
    `companies` row, outbox message, audit entry, a snapshot every 50 events), from the aggregate's
    state as this single writer left it, pipelined: the commands' own checks (lock, rebuild, If-Match)
    are tested in test_company_service.py; here the events only have to be real and follow each
    other, and the writer must leave the CPU to the processes under test.
    """

    def __init__(self, url: str, rng: random.Random) -> None:
        self.conn = _db(url)
        self.rng = rng
        self.tag = uuid.uuid4().hex[:8]
        self.ctx = Context(actor_label="system:faults", correlation_id=f"faults-{self.tag}")
        self.states: dict[str, CompanyState] = {}
        self.ids: list[str] = []
        self.events = 0
        self.kinds: Counter[str] = Counter()

    def close(self) -> None:
        self.conn.close()

    def create_batch(self, first: int) -> None:
        with self.conn.transaction():
            for n in range(first, first + BATCH):
                fields = {
                    "name": f"Отказоустойчивый сервис {self.tag} {n}",
                    "industry": self.rng.choice(["fintech", "martech", "hrtech", "edtech", "logistics"]),
                    "description": f"Платформа номер {n}",
                    "employees_count": self.rng.randint(1, 5000),
                }
                state = service.create_in_transaction(self.conn, fields, None, self.ctx)
                self.states[state.id] = state
                self.ids.append(state.id)
                self._count(aggregate.CREATED)

    def command_batch(self) -> None:
        with self.conn.transaction(), self.conn.pipeline():
            for _ in range(BATCH):
                self._command(self.rng.choice(self.ids))

    def _command(self, company_id: str) -> None:
        state = self.states[company_id]
        roll = self.rng.random()
        payload: dict[str, Any] = {}
        if state.deleted:
            event_type = aggregate.RESTORED
        elif roll < 0.06:
            event_type = aggregate.DELETED
        elif roll < 0.08:
            event_type, payload = aggregate.VERIFICATION_FAILED, {"reason": f"ИНН не найден ({self.events})"}
        else:
            event_type, payload = aggregate.UPDATED, self._update(state, rename=roll < 0.12)
        self.states[company_id] = service._commit(self.conn, state, event_type, payload, self.ctx)
        self._count(event_type)

    def _update(self, state: CompanyState, *, rename: bool) -> dict[str, Any]:
        """What `service._update` appends for a PATCH; the description always changes, so it appends."""
        requested: dict[str, Any] = {"description": f"Редакция {self.events}"}
        if self.rng.random() < 0.5:
            requested["employees_count"] = self.rng.randint(1, 5000)
        if self.rng.random() < 0.3:
            requested["headquarters_city"] = self.rng.choice(["Москва", "Казань", "Новосибирск", "Пермь"])
        if self.rng.random() < 0.2:
            requested["integrations"] = sorted(self.rng.sample(["amocrm", "bitrix24", "1c", "telegram"], 2))
        if rename:
            requested["name"] = f"Переименованный сервис {self.tag} {self.events}"
        changes = aggregate.changed_fields(state, requested)
        if "name" in changes:
            slug = store.claim_slug(self.conn, slugify(changes["name"]), state.id)
            if slug != state.fields.get("slug"):
                changes["slug"] = slug
        return {"changes": changes, "previous": {k: state.fields.get(k) for k in changes}}

    def _count(self, event_type: str) -> None:
        self.events += 1
        self.kinds[event_type] += 1


# --- Kafka bookkeeping -------------------------------------------------------------------------


def _consumer(bootstrap: str, group: str) -> Any:
    return Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})


def _end_offsets(bootstrap: str) -> dict[int, int]:
    """The end offset of every partition (retried while a just-created topic elects its leaders)."""
    client = _consumer(bootstrap, f"faults-probe-{uuid.uuid4().hex}")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                partitions = client.list_topics(TOPIC, timeout=10).topics[TOPIC].partitions
                return {
                    p: int(client.get_watermark_offsets(TopicPartition(TOPIC, p), timeout=10)[1]) for p in partitions
                }
            except KafkaException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
    finally:
        client.close()


def _commit_offsets(bootstrap: str, group: str, offsets: dict[int, int]) -> None:
    client = _consumer(bootstrap, group)
    try:
        client.commit(offsets=[TopicPartition(TOPIC, p, o) for p, o in offsets.items()], asynchronous=False)
    finally:
        client.close()


def _behind(bootstrap: str, group: str, start: dict[int, int], end: dict[int, int]) -> int:
    """Records of the topic after the group's committed offsets (the run's start offsets at the least)."""
    client = _consumer(bootstrap, group)
    try:
        committed = client.committed([TopicPartition(TOPIC, p) for p in end], timeout=10)
        return sum(end[tp.partition] - max(int(tp.offset), start[tp.partition]) for tp in committed)
    finally:
        client.close()


def _read_topic(bootstrap: str, start: dict[int, int], end: dict[int, int]) -> list[tuple[int, int, dict[str, Any]]]:
    """(partition, offset, envelope) of every record between the offsets, in partition order."""
    client = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"faults-reader-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    try:
        wanted = {p for p in end if end[p] > start[p]}
        client.assign([TopicPartition(TOPIC, p, start[p]) for p in wanted])
        records: list[tuple[int, int, dict[str, Any]]] = []
        deadline = time.monotonic() + 60
        while wanted and time.monotonic() < deadline:
            for msg in client.consume(num_messages=5000, timeout=1.0):
                partition, offset, value = msg.partition(), msg.offset(), msg.value()
                if partition is None or offset is None:
                    continue
                if msg.error() is None and value is not None and offset < end[partition]:
                    records.append((partition, offset, json.loads(value)))
                if offset >= end[partition] - 1:  # the last record, or the end-of-partition event
                    wanted.discard(partition)
        assert not wanted, f"partitions {sorted(wanted)} not read to their end in 60 s"
        return records
    finally:
        client.close()


def _ledger(path: Path) -> list[tuple[int, int, str]]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        partition, offset, event_id = line.split()
        rows.append((int(partition), int(offset), event_id))
    return rows


def _cached_as(entry: dict[bytes, bytes], view: replay.View) -> bool:
    """The cache entry is the view: its version, and its body (none for a deleted company)."""
    if not entry or int(entry[b"version"]) != view.version:
        return False
    body = entry.get(b"body") or b""
    if view.deleted:
        return body == b""
    return bool(body) and Company.model_validate_json(body) == view.company


# --- the test ----------------------------------------------------------------------------------


def test_read_models_equal_a_replay_after_killing_relay_and_consumers(
    fault_db: str,
    fault_redis: str,
    kafka_bootstrap: str,
    clickhouse_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    started = time.monotonic()
    run_id = uuid.uuid4().hex[:8]
    group_prefix = f"faults-{run_id}"
    sources = {s.function: s for s in tpl.kafka_sources(tpl.load(TEMPLATE))}
    groups = {f: f"{group_prefix}-{sources[f].group}" for f in FUNCTIONS}

    # The run's consumer groups start where the topic ends now: earlier tests' records are not ours.
    ensure_topics(kafka_bootstrap, {TOPIC})
    start_offsets = _end_offsets(kafka_bootstrap)
    for group in groups.values():
        _commit_offsets(kafka_bootstrap, group, start_offsets)

    env = {
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "localstack"), os.environ.get("PYTHONPATH", "")]),
        "ALGOARTS_DATABASE_URL": fault_db,
        "ALGOARTS_REDIS_URL": fault_redis,
        "ALGOARTS_CLICKHOUSE_URL": clickhouse_url,
        "ALGOARTS_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "ALGOARTS_EVENT_BUS": "kafka",
        "ALGOARTS_CACHE_TTL_SECONDS": str(CACHE_TTL_S),
        "POWERTOOLS_SERVICE_NAME": "algoarts",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    ledgers = tmp_path / "ledgers"
    ledgers.mkdir()
    function_args = [arg for f in FUNCTIONS for arg in ("--function", f)]
    parts = [
        Part("relay", [sys.executable, str(HARNESS), "relay"], env, tmp_path / "relay.log"),
        Part(
            "consumer",
            [
                sys.executable,
                str(HARNESS),
                "consumer",
                *function_args,
                "--group-prefix",
                group_prefix,
                "--ledger-dir",
                str(ledgers),
            ],
            env,
            tmp_path / "consumer.log",
        ),
    ]
    writer = Writer(fault_db, random.Random(SEED))
    stop_chaos = threading.Event()
    failures: list[str] = []
    chaos = [
        threading.Thread(
            target=_chaos, args=(part, random.Random(f"{SEED}-{part.name}"), stop_chaos, failures), daemon=True
        )
        for part in parts
    ]
    try:
        for part in parts:
            part.start()
        for thread in chaos:
            thread.start()

        # The load, paced over LOAD_SECONDS while the chaos threads kill and restart the processes.
        load_started = time.monotonic()
        run_since = datetime.now(UTC) - timedelta(seconds=1)
        batches = EVENTS // BATCH
        for n in range(batches):
            time.sleep(max(0.0, load_started + n * LOAD_SECONDS / batches - time.monotonic()))
            if n < COMPANIES // BATCH:
                writer.create_batch(n * BATCH)
            else:
                writer.command_batch()
            assert not failures, failures[0]
        load_s = time.monotonic() - load_started
        assert writer.events == EVENTS

        stop_chaos.set()
        for thread in chaos:
            thread.join(timeout=30)
        assert not failures, failures[0]

        # Drain: nothing left in the outbox, and every group has committed the end of every partition.
        drain_started = time.monotonic()
        with _db(fault_db) as db:
            while True:
                for part in parts:
                    reason = part.died()
                    assert reason is None, reason
                pending = db.execute("SELECT count(*) AS n FROM outbox WHERE published_at IS NULL").fetchone()["n"]
                db.commit()
                end_offsets = _end_offsets(kafka_bootstrap)
                behind = {f: _behind(kafka_bootstrap, g, start_offsets, end_offsets) for f, g in groups.items()}
                if pending == 0 and not any(behind.values()):
                    break
                assert time.monotonic() - drain_started < DRAIN_TIMEOUT_S, (
                    f"not drained after {DRAIN_TIMEOUT_S:.0f} s: {pending} unpublished, records behind: {behind}"
                )
                time.sleep(1.0)
        drain_s = time.monotonic() - drain_started
    finally:
        stop_chaos.set()
        for thread in chaos:
            thread.join(timeout=30)  # a restart under way completes first: nothing starts after this
        for part in parts:
            part.stop()
        writer.close()

    # --- the truth: a fresh replay of the event store -------------------------------------------
    with _db(fault_db) as db:
        events = {
            str(r["event_id"]): (str(r["aggregate_id"]), int(r["version"]))
            for r in db.execute("SELECT event_id, aggregate_id, version FROM company_events").fetchall()
        }
        truth = {view.id: view for views in replay.replay_views(db, use_snapshots=False) for view in views}
        rows = db.execute("SELECT id::text AS id, version, deleted_at IS NOT NULL AS deleted FROM companies").fetchall()
        companies_table = {r["id"]: (r["version"], r["deleted"]) for r in rows}
        indexed = {
            r["company_id"]: r
            for r in db.execute(
                "SELECT company_id::text AS company_id, version, deleted, document FROM company_search"
            ).fetchall()
        }
    assert len(events) == EVENTS
    assert len(truth) == COMPANIES
    assert sorted(truth) == sorted(writer.ids)
    assert {i: (v.version, v.deleted) for i, v in truth.items()} == {
        i: (s.version, s.deleted) for i, s in writer.states.items()
    }

    # The query side written with each event.
    assert companies_table == {i: (v.version, v.deleted) for i, v in truth.items()}

    # Search read model: exactly the replayed document and version of every company, no other row.
    assert sorted(indexed) == sorted(truth)
    wrong_search = [
        i
        for i, view in truth.items()
        if (indexed[i]["version"], indexed[i]["deleted"]) != (view.version, view.deleted)
        or Company.model_validate(indexed[i]["document"]) != view.company
    ]
    assert not wrong_search, f"{len(wrong_search)} search documents differ from the replay, e.g. {wrong_search[:3]}"

    # Cache: every company at its latest version (a deleted one as a bodiless entry at that version).
    import redis

    cache = redis.Redis.from_url(fault_redis)
    pipe = cache.pipeline(transaction=False)
    for company_id in truth:
        pipe.hgetall(f"company:{company_id}")
    entries = dict(zip(truth, pipe.execute(), strict=True))
    cache.close()
    wrong_cache = [company_id for company_id, view in truth.items() if not _cached_as(entries[company_id], view)]
    assert not wrong_cache, f"{len(wrong_cache)} cache entries differ from the replay, e.g. {wrong_cache[:3]}"

    # Analytics: one row per event of the run under FINAL, none missing, none extra.
    ch = clickhouse_client(Settings(database_url=fault_db, redis_url=fault_redis, clickhouse_url=clickhouse_url))
    final_rows = ch.query(
        "SELECT toString(event_id), aggregate_id, version FROM domain_events FINAL "
        "WHERE aggregate_type = 'company' AND ts >= {since:DateTime64(3, 'UTC')}",
        parameters={"since": run_since},
    ).result_rows
    ours = [(e, a, v) for e, a, v in final_rows if a in truth]
    assert len(ours) == len({e for e, _, _ in ours}), "an event has more than one row under FINAL"
    assert {e: (a, int(v)) for e, a, v in ours} == events

    # The topic: every event, keyed to one partition per aggregate, first published in version order.
    records = [r for r in _read_topic(kafka_bootstrap, start_offsets, end_offsets) if r[2]["aggregate_id"] in truth]
    published = Counter(r[2]["event_id"] for r in records)
    assert set(published) == set(events), "events missing from the topic"
    partitions_of: dict[str, set[int]] = defaultdict(set)
    first_seen: dict[str, list[int]] = defaultdict(list)
    seen: set[str] = set()
    for partition, _, envelope in records:
        partitions_of[envelope["aggregate_id"]].add(partition)
        if envelope["event_id"] not in seen:
            seen.add(envelope["event_id"])
            first_seen[envelope["aggregate_id"]].append(envelope["version"])
    assert all(len(p) == 1 for p in partitions_of.values()), "an aggregate's events on two partitions"
    out_of_order = [a for a, versions in first_seen.items() if versions != sorted(versions)]
    assert not out_of_order, f"first published out of version order: {out_of_order[:3]}"

    # Each function took every event; a record handed over twice was delivered again after a kill.
    delivered: dict[str, str] = {}
    for function, group in groups.items():
        handed, taken = _ledger(ledgers / f"{group}.handed"), _ledger(ledgers / f"{group}.taken")
        missing = set(events) - {event_id for _, _, event_id in taken}
        assert not missing, f"{function} never took {len(missing)} events, e.g. {sorted(missing)[:3]}"
        again = len(handed) - len({(p, o) for p, o, _ in handed})
        delivered[function] = (
            f"{function} was handed {len(handed)} records for {len(events)} events ({again} again after a kill)"
        )

    relay, consumer = parts
    summary = (
        f"delivery faults (seed {SEED}): {EVENTS} events ({dict(writer.kinds)}) on {COMPANIES} companies; "
        f"load {load_s:.0f} s, drain {drain_s:.0f} s, total {time.monotonic() - started:.0f} s; "
        f"relay killed {relay.kills}x, consumer killed {consumer.kills}x; "
        f"Kafka holds {len(records)} records ({len(records) - len(published)} republished by the relay); "
        f"{'; '.join(delivered.values())}; ClickHouse: {len(ours)} rows under FINAL"
    )
    with capsys.disabled():
        print(f"\n{summary}")
    assert relay.kills >= 3 and consumer.kills >= 3, f"too few kills to mean anything: {summary}"
