"""Outbox -> read-model delivery on real Postgres 18, Kafka 4.1, Redis and ClickHouse (chdb), beside Kafka's own cost.

Run: .venv/bin/python tests/benchmarks/bench_delivery.py [--events 20000] [--quick]
(default: about 2 minutes on 2 cores; --quick: 2,000 events and 5 s streams, under 40 s)

The servers are started for the run exactly as the integration tier starts them (tests/integration/
conftest.py: the localcloud launchers, free 127.0.0.1 ports, data in a temporary folder; Postgres with
fsync=off and synchronous_commit=off, so a COMMIT costs no disk flush), migrated with shared.migrate, the
topic provisioned with bridge.ensure_topics (3 partitions), and stopped by their PIDs at the end, also on
error or Ctrl-C. Nothing is faked.

The pipeline is the full profile's, as tests/integration/test_delivery_faults.py runs it:
* relay: `tests/integration/delivery_harness.py relay`, i.e. `localcloud.relay.run` (wakes on the outbox
  NOTIFY or every second, `shared.outbox.drain` in batches of 500) with `shared.kafka.KafkaPublisher`;
* consumers: one process per function (as each function is its own Lambda), this file's `consumer` mode:
  `localcloud.bridge.consume` unchanged (consume up to BatchSize records within BATCH_WINDOW_SECONDS =
  0.5 s, deliver, commit) with the harness's in-process delivery (the function's own app.py handler,
  called with the event the Lambda trigger sends, retried twice), except that its ledger line for each
  record carries times: the record's Kafka CREATE_TIME (the relay's produce call), when the batch was
  handed to the dispatcher and when the handler returned. ProjectCompanyFunction writes the Redis cache
  and the Postgres search read model (company_search); RecordEventsFunction writes ClickHouse
  domain_events. Their template.yaml BatchSize is 100 and 500.
Every time is the host's wall clock (Postgres clock_timestamp(), time.time() in the processes).

The events are written through the company write path in the benchmark's process: creates with
`service.create_in_transaction`; in the throughput runs updates go through `service._commit`, the step
every command ends with (event store, companies row, outbox message, audit entry, a snapshot every 50
events), pipelined, 200 per transaction, from the aggregate's state as this single writer left it (as
test_delivery_faults.py's writer does, so the writer leaves the CPU to the pipeline); in the lag streams
each event is a transaction of its own (the same steps), and its commit time is `clock_timestamp()`
taken as the transaction's last statement. About 1 in 10 events is a create.

1. Throughput, outbox -> each read model, for N events in transactions of 200:
   a) live: the writer commits as fast as it can while relay and consumers run; events/s = N / (the
      moment the consumer applied its last event - the first transaction's start), and how long after
      the writer's last commit the consumers finished (short: the writer was the limit);
   b) backlog: the relay is held off (the benchmark holds the relay's advisory lock, so its drains find
      it taken) while N more events are written, then released and woken; events/s = N / (last applied
      - release). Also the relay's own rate (to the last record's produce) and, for scale, how fast a
      bare consumer with the bridge's settings reads the topic back with no handler.
   With the median rate over 1-s buckets (steadier when others load the machine), the batches the
   consumers got, and the CPU seconds each process tree used meanwhile (`bench` is the writer).
2. End-to-end lag, Kafka path: a steady stream of single-event transactions (50/s for 20 s); per
   consumer commit -> applied p50/p95/max, split into relay (commit -> produced), Kafka + window
   (produced -> batch handed over) and handler (handed over -> applied); how much of the lag is the
   500 ms window, against AWS's documented default batching window for Kafka event sources (500 ms).
3. Baseline, before the pipeline starts and again after it stopped: one message at a time through the
   broker with confluent-kafka and the relay's producer settings (idempotent, acks=all, linger.ms=5,
   lz4): produce -> acknowledged, produce -> returned by consumer.poll() (the reference of the ratios),
   and produce -> returned by the bridge's own call, consume(num_messages=100, timeout=0.5 s).
4. End-to-end lag, embedded path (no Kafka): the relay and consumers are stopped, and this file's
   `direct` mode runs `localcloud.relay.run_direct` (one consumer group per source) over the same two
   functions' sources, its dispatcher calling the handlers in process (instead of through Lambda); the
   same stream, the same split.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import math
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, ModuleType
from typing import IO, Any, cast

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "localstack"))
sys.path.insert(0, str(ROOT))

from integration.delivery_harness import RETRIES, Handler, LambdaContext, load_handler  # noqa: E402

from localcloud import process  # noqa: E402
from localcloud import template as tpl  # noqa: E402
from localcloud.bridge import BATCH_WINDOW_SECONDS, TOPIC_PARTITIONS, consume, ensure_topics  # noqa: E402
from localcloud.consumer_groups import ConsumerGroups  # noqa: E402
from localcloud.paths import CACHE_DIR, TEMPLATE  # noqa: E402
from localcloud.relay import run_direct  # noqa: E402
from localcloud.servers import clickhouse as clickhouse_server  # noqa: E402
from localcloud.servers import kafka as kafka_server  # noqa: E402
from localcloud.servers import postgres as postgres_server  # noqa: E402
from localcloud.servers import redis as redis_server  # noqa: E402
from localcloud.triggers import Dispatcher, Record, kafka_event  # noqa: E402
from shared.analytics import clickhouse_client  # noqa: E402
from shared.commands import Context  # noqa: E402
from shared.companies import aggregate, service  # noqa: E402
from shared.companies.aggregate import CompanyState  # noqa: E402
from shared.db import connect  # noqa: E402
from shared.events import TOPIC_BY_AGGREGATE  # noqa: E402
from shared.migrate import migrate_clickhouse, migrate_postgres  # noqa: E402
from shared.outbox import RELAY_LOCK_ID  # noqa: E402
from shared.settings import Settings, get_settings  # noqa: E402

SEED = 2026
TOPIC = TOPIC_BY_AGGREGATE["company"]
RTT_TOPIC = "bench.round-trip"
FUNCTIONS = ("ProjectCompanyFunction", "RecordEventsFunction")
READ_MODELS = {
    "ProjectCompanyFunction": "Redis cache + Postgres company_search",
    "RecordEventsFunction": "ClickHouse domain_events",
}
BATCH = 200  # events per transaction in the throughput runs
CREATE_EVERY = 10  # one transaction in ten creates companies
STREAM_RATE = 50.0  # single-event commits per second in the lag runs
READY_TIMEOUT = {"postgres": 60.0, "redis": 30.0, "clickhouse": 60.0, "kafka": 120.0}
WARM_UP_TIMEOUT_S = 120.0
DRAIN_TIMEOUT_S = 300.0
HARNESS = ROOT / "tests" / "integration" / "delivery_harness.py"
# Kafka producer settings of shared.kafka.KafkaPublisher (the relay's), for the baseline.
PRODUCER = {"enable.idempotence": True, "acks": "all", "linger.ms": 5, "compression.type": "lz4"}
log = logging.getLogger("bench")


@dataclass(frozen=True)
class Plan:
    events: int
    stream_seconds: float
    round_trips: int  # per baseline pass (two passes)
    window_trips: int  # per baseline pass


def plan_for(events: int | None, quick: bool) -> Plan:
    if quick:
        return Plan(events or 2_000, 5.0, 50, 3)
    return Plan(events or 20_000, 20.0, 200, 6)


# --- figures ------------------------------------------------------------------------------------


def pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def ms_row(name: str, values_s: Sequence[float], base_ms: float | None = None, *, width: int = 44) -> str:
    """p50/p95/max in milliseconds of values given in seconds; the p50 as a multiple of `base_ms`."""
    ms = [v * 1000 for v in values_s]
    p50 = statistics.median(ms)
    ratio = f"{p50 / base_ms:8.1f}x" if base_ms else ""
    return f"  {name:<{width}} p50 {p50:8.1f} ms  p95 {pct(ms, 95):8.1f} ms  max {max(ms):8.1f} ms{ratio}"


def heading(text: str) -> None:
    print(f"\n{text}", flush=True)


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


# --- servers ------------------------------------------------------------------------------------


def free_ports(count: int) -> list[int]:
    """`count` distinct free loopback ports (every socket held until all are chosen)."""
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass
class Server:
    name: str
    module: ModuleType
    pid: int
    port: int
    log: Path


@dataclass
class Stack:
    database_url: str
    redis_url: str
    clickhouse_url: str
    kafka_bootstrap: str
    servers: dict[str, Server]
    started_s: float

    @property
    def settings(self) -> Settings:
        return Settings(database_url=self.database_url, redis_url=self.redis_url, clickhouse_url=self.clickhouse_url)


class _Terminated(Exception):
    pass


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Terminated(f"signal {signum}")


def _ready(server: Server) -> Callable[[], bool]:
    is_ready = cast(Callable[[int], bool], server.module.is_ready)
    return lambda: bool(is_ready(server.port))


@contextlib.contextmanager
def stack(tmp: Path) -> Iterator[Stack]:
    """Kafka, Postgres (migrated), Redis and ClickHouse (migrated) on free loopback ports; stopped by PID."""
    running: dict[str, Server] = {}
    started = time.monotonic()

    def start(name: str, module: ModuleType, *, user: str | None = None, **prepare_kw: Any) -> Server:
        build = module.build(CACHE_DIR)
        data = tmp / name
        data.mkdir()
        extra_names: tuple[str, ...] = module.EXTRA_PORTS
        port, *extra = free_ports(1 + len(extra_names))
        extra_ports = dict(zip(extra_names, extra, strict=True))
        module.prepare(build, data, port, extra_ports, **prepare_kw)
        argv, env = module.command(build, data, port, extra_ports)
        log_path = tmp / f"{name}.log"
        server = Server(name, module, process.spawn(argv, log_path, env=env, user=user), port, log_path)
        running[name] = server
        return server

    try:
        pg_password, redis_password, ch_password = (secrets.token_hex(16) for _ in range(3))
        kafka = start("kafka", kafka_server)  # the slowest to boot goes first
        pg = start("postgres", postgres_server, user=postgres_server.run_as(), password=pg_password)
        redis = start("redis", redis_server, password=redis_password)
        ch = start("clickhouse", clickhouse_server, password=ch_password)
        for server in running.values():
            process.wait_ready(server.name, server.pid, server.log, _ready(server), READY_TIMEOUT[server.name])
        postgres_server.ensure_database(pg.port, pg_password)
        database_url = postgres_server.url(pg.port, pg_password)
        migrate_postgres(database_url)
        built = Stack(
            database_url,
            redis_server.url(redis.port, redis_password),
            f"http://default:{ch_password}@127.0.0.1:{ch.port}/default",
            f"127.0.0.1:{kafka.port}",
            running,
            0.0,
        )
        migrate_clickhouse(clickhouse_client(built.settings))
        ensure_topics(built.kafka_bootstrap, {TOPIC, RTT_TOPIC})
        built.started_s = time.monotonic() - started
        yield built
    finally:
        if "postgres" in running:  # fast shutdown: SIGTERM (smart) would wait for every client
            with contextlib.suppress(ProcessLookupError):
                os.kill(running["postgres"].pid, signal.SIGINT)
        for server in reversed(running.values()):
            process.stop(server.pid, timeout=30.0)
        still = [f"{s.name} {s.pid}" for s in running.values() if process.alive(s.pid)]
        if still:
            print(f"WARNING: still running after stop: {still}", file=sys.stderr)


# --- the processes under test -------------------------------------------------------------------


@dataclass
class Worker:
    """A relay or consumer process in its own session, stopped by its PID."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    pid: int = 0

    def start(self) -> None:
        self.pid = process.spawn(self.argv, self.log, env=self.env, cwd=ROOT)

    def check(self) -> None:
        if not process.alive(self.pid):
            raise RuntimeError(f"{self.name} exited; last lines of {self.log}:\n{process.tail(self.log, 30)}")

    def stop(self) -> None:
        process.stop(self.pid, timeout=20.0)


def worker_env(s: Stack) -> dict[str, str]:
    return {
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "localstack"), os.environ.get("PYTHONPATH", "")]),
        "ALGOARTS_DATABASE_URL": s.database_url,
        "ALGOARTS_REDIS_URL": s.redis_url,
        "ALGOARTS_CLICKHOUSE_URL": s.clickhouse_url,
        "ALGOARTS_KAFKA_BOOTSTRAP": s.kafka_bootstrap,
        "ALGOARTS_EVENT_BUS": "kafka",
        "ALGOARTS_CACHE_TTL_SECONDS": "86400",
        "POWERTOOLS_SERVICE_NAME": "algoarts",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }


def kafka_workers(s: Stack, tmp: Path, ledgers: Path) -> list[Worker]:
    env = worker_env(s)
    workers = [Worker("relay", [sys.executable, str(HARNESS), "relay"], env, tmp / "relay.log")]
    for function in FUNCTIONS:
        argv = [sys.executable, __file__, "consumer", "--function", function, "--ledger-dir", str(ledgers)]
        workers.append(Worker(function, argv, env, tmp / f"{function}.log"))
    return workers


def direct_worker(s: Stack, tmp: Path, ledgers: Path) -> Worker:
    env = {**worker_env(s), "ALGOARTS_EVENT_BUS": "direct"}
    argv = [sys.executable, __file__, "direct", "--ledger-dir", str(ledgers)]
    return Worker("direct relay", argv, env, tmp / "direct.log")


# --- the worker modes (run by path as subprocesses) ---------------------------------------------


class TimedDispatcher:
    """The harness's in-process delivery (the function's handler in this process, retried twice), with a
    ledger line per record: `event_id produced_ms handed_over applied` (the record's timestamp, and the
    time the batch reached deliver() and the handler returned, in epoch seconds)."""

    def __init__(self, handlers: dict[str, Handler], ledgers: dict[str, IO[str]], bootstrap: str) -> None:
        self._handlers = handlers
        self._ledgers = ledgers
        self._bootstrap = bootstrap

    def deliver(self, source: tpl.KafkaSource, records: Sequence[Record]) -> bool:
        handed_over = time.time()
        event = kafka_event(records, self._bootstrap)
        for attempt in range(RETRIES + 1):
            try:
                self._handlers[source.function](event, LambdaContext(source.function))
                break
            except Exception:
                log.exception("%s refused a batch of %d (attempt %d)", source.function, len(records), attempt + 1)
                if attempt == RETRIES:
                    raise
                time.sleep(0.2 * 2**attempt)
        applied = time.time()
        ledger = self._ledgers[source.function]
        ledger.write(
            "".join(
                f"{json.loads(r.value)['event_id']} {r.timestamp_ms} {handed_over:.6f} {applied:.6f}\n" for r in records
            )
        )
        ledger.flush()
        return True


def _sources(functions: Sequence[str]) -> tuple[dict[str, Any], list[tpl.KafkaSource]]:
    template = tpl.load(TEMPLATE)
    sources = {s.function: s for s in tpl.kafka_sources(template)}
    return template, [dataclasses.replace(sources[f], group=f"bench-{sources[f].group}") for f in functions]


def _ledgers(ledger_dir: Path, functions: Sequence[str]) -> dict[str, IO[str]]:
    return {f: (ledger_dir / f"{f}.ledger").open("a", encoding="utf-8") for f in functions}


def consumer_main(function: str, ledger_dir: Path) -> int:
    """`bridge.consume` for one function's Kafka source, delivering to its handler in this process."""
    bootstrap = get_settings().require("kafka_bootstrap")
    template, (source,) = _sources([function])
    dispatcher = TimedDispatcher(
        {function: load_handler(function, template)}, _ledgers(ledger_dir, [function]), bootstrap
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    log.info("consuming %s as %s", function, source.group)
    consume(source, bootstrap, dispatcher, stop)
    return 0


def direct_main(ledger_dir: Path) -> int:
    """The embedded profile's relay: `relay.run_direct`, its consumer groups calling the handlers in this process."""
    template, sources = _sources(FUNCTIONS)
    handlers = {f: load_handler(f, template) for f in FUNCTIONS}
    dispatcher = TimedDispatcher(handlers, _ledgers(ledger_dir, FUNCTIONS), "direct")
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    log.info("relaying directly to %s", ", ".join(FUNCTIONS))
    while not stop[0]:
        try:
            url = get_settings().database_url
            run_direct(url, ConsumerGroups(url, cast(Dispatcher, dispatcher), sources), stop)
        except Exception:
            log.exception("relay failed; restarting in 1 s")
            time.sleep(1)
    return 0


# --- ledgers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    produced: float  # the Kafka record's CREATE_TIME (the relay's produce call); direct: the group's hand-over
    handed_over: float  # the batch reached the dispatcher
    applied: float  # the handler returned


class Ledger:
    """A consumer's ledger, read incrementally; the first delivery of each event counts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.events: dict[str, Applied] = {}
        self.again = 0
        self._offset = 0

    def refresh(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as f:
            f.seek(self._offset)
            data = f.read()
        end = data.rfind(b"\n") + 1
        self._offset += end
        for line in data[:end].decode().splitlines():
            event_id, produced_ms, handed_over, applied = line.split()
            if event_id in self.events:
                self.again += 1
            else:
                self.events[event_id] = Applied(int(produced_ms) / 1000, float(handed_over), float(applied))


def wait_applied(
    ledgers: dict[str, Ledger], event_ids: Sequence[str], workers: Sequence[Worker], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        for ledger in ledgers.values():
            ledger.refresh()
        missing = {f: sum(e not in lg.events for e in event_ids) for f, lg in ledgers.items()}
        if not any(missing.values()):
            return
        for worker in workers:
            worker.check()
        if time.monotonic() > deadline:
            raise RuntimeError(f"not applied after {timeout:.0f} s: {missing} of {len(event_ids)} events missing")
        time.sleep(0.05)


# --- CPU ----------------------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds used so far by each root process and its descendants (Postgres backends, say);
    `bench` is this process (the writer)."""
    stats: dict[int, tuple[int, float]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        stats[int(stat.parent.name)] = (int(fields[1]), sum(int(v) for v in fields[11:15]) / _TICK)
    name_of = {pid: name for name, pid in roots.items()}
    totals = dict.fromkeys(roots, 0.0)
    for pid, (_, used) in stats.items():
        node, hops = pid, 0
        while node not in name_of and node in stats and hops < 64:
            node, hops = stats[node][0], hops + 1
        if node in name_of:
            totals[name_of[node]] += used
    totals["bench"] = time.process_time()
    return totals


@dataclass
class CpuMeter:
    groups: dict[str, int]
    before: dict[str, float] = field(default_factory=dict)
    started: float = 0.0

    def start(self) -> None:
        self.before, self.started = cpu_seconds(self.groups), time.monotonic()

    def line(self) -> str:
        after, wall = cpu_seconds(self.groups), time.monotonic() - self.started
        used = {name: after[name] - self.before.get(name, 0.0) for name in after}
        parts = ", ".join(f"{name} {v:.1f}" for name, v in sorted(used.items(), key=lambda kv: -kv[1]))
        return (
            f"CPU s over {wall:.1f} s wall ({os.cpu_count()} CPUs = {wall * (os.cpu_count() or 1):.0f} CPU s): {parts}"
        )


# --- the writer ---------------------------------------------------------------------------------

# currval() in a scalar subquery: evaluated once, so the primary key is used (a bare volatile call in the
# WHERE clause makes a sequential scan that evaluates it, and clock_timestamp(), for every row).
_LAST_EVENT = (
    "SELECT event_id::text AS event_id, extract(epoch FROM clock_timestamp())::float8 AS committed "
    "FROM outbox WHERE id = (SELECT currval(pg_get_serial_sequence('outbox', 'id')))"
)


class Writer:
    """Company events through the write path (see the module's docstring)."""

    def __init__(self, url: str, seed: int) -> None:
        self.conn: Any = connect(url)
        self.rng = random.Random(seed)
        self.tag = uuid.uuid4().hex[:8]
        self.ctx = Context(actor_label="system:bench", correlation_id=f"bench-delivery-{self.tag}")
        self.states: dict[str, CompanyState] = {}
        self.ids: list[str] = []
        self.kinds: Counter[str] = Counter()
        self.transactions = 0

    def close(self) -> None:
        self.conn.close()

    def _fields(self) -> dict[str, Any]:
        n = len(self.ids)
        return {
            "name": f"Сервис доставки событий {self.tag} {n}",
            "industry": self.rng.choice(["fintech", "martech", "hrtech", "edtech", "logistics"]),
            "description": f"Платформа номер {n}: учёт, интеграции, отчёты для малого бизнеса.",
            "employees_count": self.rng.randint(1, 5000),
        }

    def _requested(self) -> dict[str, Any]:
        """A PATCH: the description always changes, so every update appends an event."""
        requested: dict[str, Any] = {"description": f"Редакция {sum(self.kinds.values())}: новые тарифы и интеграции."}
        if self.rng.random() < 0.5:
            requested["employees_count"] = self.rng.randint(1, 5000)
        if self.rng.random() < 0.3:
            requested["headquarters_city"] = self.rng.choice(["Москва", "Казань", "Новосибирск", "Пермь"])
        return requested

    def _created(self, state: CompanyState) -> None:
        self.states[state.id] = state
        self.ids.append(state.id)
        self.kinds["created"] += 1

    def max_outbox_id(self) -> int:
        row = self.conn.execute("SELECT coalesce(max(id), 0) AS n FROM outbox").fetchone()
        self.conn.commit()
        return int(row["n"])

    def event_ids_since(self, outbox_id: int) -> list[str]:
        rows = self.conn.execute("SELECT event_id::text AS e FROM outbox WHERE id > %s", (outbox_id,)).fetchall()
        self.conn.commit()
        return [r["e"] for r in rows]

    def write(self, events: int) -> None:
        """`events` events in transactions of BATCH: one in CREATE_EVERY creates companies, the rest update."""
        while events > 0:
            size = min(BATCH, events)
            if not self.ids or self.transactions % CREATE_EVERY == 0:
                with self.conn.transaction():
                    for _ in range(size):
                        self._created(service.create_in_transaction(self.conn, self._fields(), None, self.ctx))
            else:
                with self.conn.transaction(), self.conn.pipeline():
                    for _ in range(size):
                        self._update()
            self.transactions += 1
            events -= size

    def _update(self) -> None:
        state = self.states[self.rng.choice(self.ids)]
        changes = aggregate.changed_fields(state, self._requested())
        payload = {"changes": changes, "previous": {k: state.fields.get(k) for k in changes}}
        self.states[state.id] = service._commit(self.conn, state, aggregate.UPDATED, payload, self.ctx)
        self.kinds["updated"] += 1

    def one(self) -> tuple[str, float]:
        """One event as its own transaction; its id and `clock_timestamp()` as the last statement before COMMIT."""
        if not self.ids or self.rng.random() < 1 / CREATE_EVERY:
            with self.conn.transaction():
                self._created(service.create_in_transaction(self.conn, self._fields(), None, self.ctx))
                row = self.conn.execute(_LAST_EVENT).fetchone()
        else:
            with self.conn.transaction(), self.conn.pipeline():
                self._update()
                row = self.conn.execute(_LAST_EVENT).fetchone()
        self.transactions += 1
        return str(row["event_id"]), float(row["committed"])

    def stream(self, rate: float, seconds: float) -> Stream:
        """Single-event transactions on a fixed schedule of `rate` per second (a late one is followed at once)."""
        out = Stream()
        count = round(rate * seconds)
        started = time.monotonic()
        for n in range(count):
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
            t0 = time.monotonic()
            event_id, at = self.one()
            out.committed[event_id] = at
            out.durations.append(time.monotonic() - t0)
        out.rate = count / (time.monotonic() - started)
        return out


@dataclass
class Stream:
    committed: dict[str, float] = field(default_factory=dict)  # event id -> commit time
    durations: list[float] = field(default_factory=list)  # each transaction, seconds
    rate: float = 0.0  # achieved transactions per second


# --- 0. Kafka alone -----------------------------------------------------------------------------


@dataclass
class RoundTrips:
    acked: list[float] = field(default_factory=list)  # seconds
    polled: list[float] = field(default_factory=list)
    windowed: list[float] = field(default_factory=list)


def kafka_round_trips(bootstrap: str, trips: int, window_trips: int, into: RoundTrips) -> None:
    """Single messages through the broker: produce -> ack, produce -> poll(), produce -> consume(100, 0.5 s)."""
    from confluent_kafka import OFFSET_END, Consumer, Producer, TopicPartition

    quiet = logging.getLogger("bench.rdkafka")  # a fresh broker's "coordinator load in progress" retries
    quiet.setLevel(logging.ERROR)
    producer = Producer({"bootstrap.servers": bootstrap, **PRODUCER, "logger": quiet})
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": f"bench-rtt-{uuid.uuid4().hex[:8]}", "enable.auto.commit": False}
    )
    consumer.assign([TopicPartition(RTT_TOPIC, 0, OFFSET_END)])

    def send() -> bytes:
        value = uuid.uuid4().bytes
        producer.produce(RTT_TOPIC, value=value, key=b"rtt", partition=0)
        producer.poll(0)
        return value

    def received(value: bytes, deadline: float, batch: bool) -> bool:
        while time.monotonic() < deadline:
            got = consumer.consume(100, BATCH_WINDOW_SECONDS) if batch else [consumer.poll(0.5)]
            if any(m is not None and m.error() is None and m.value() == value for m in got):
                return True
        return False

    try:
        for _ in range(60):  # until the assignment's position is resolved and a message comes through
            value = send()
            producer.flush(10)
            if received(value, time.monotonic() + 1.0, batch=False):
                break
        else:
            raise RuntimeError("no message came back from the broker in 60 s")
        for _ in range(trips):
            t0 = time.perf_counter()
            send()
            if producer.flush(10):
                raise RuntimeError("a baseline message was not acknowledged in 10 s")
            into.acked.append(time.perf_counter() - t0)
            assert received_any(consumer, time.monotonic() + 10)
            t0 = time.perf_counter()
            value = send()
            assert received(value, time.monotonic() + 10, batch=False)
            into.polled.append(time.perf_counter() - t0)
            producer.flush(10)
        for _ in range(window_trips):
            t0 = time.perf_counter()
            value = send()
            assert received(value, time.monotonic() + 10, batch=True)
            into.windowed.append(time.perf_counter() - t0)
            producer.flush(10)
    finally:
        consumer.close()


def received_any(consumer: Any, deadline: float) -> bool:
    while time.monotonic() < deadline:
        m = consumer.poll(0.5)
        if m is not None and m.error() is None:
            return True
    return False


def read_back_rate(bootstrap: str, records: int) -> float:
    """Records/s of a bare consumer with the bridge's settings reading `company.events` from the start."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"bench-read-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    try:
        consumer.assign([TopicPartition(TOPIC, p, 0) for p in range(TOPIC_PARTITIONS)])
        got, started = 0, time.perf_counter()
        deadline = time.monotonic() + 120
        while got < records and time.monotonic() < deadline:
            got += sum(m.error() is None for m in consumer.consume(500, BATCH_WINDOW_SECONDS))
        return got / (time.perf_counter() - started)
    finally:
        consumer.close()


# --- 1. throughput ------------------------------------------------------------------------------


def batches(events: Sequence[Applied]) -> list[int]:
    return list(Counter(a.handed_over for a in events).values())


def bucket_median(applied: Sequence[float], start: float) -> str:
    """Median events/s over the whole 1-s buckets from `start` to the last application ('-' under 2 s)."""
    counts = Counter(int(t - start) for t in applied)
    whole = int(max(applied) - start)  # the last, partial, bucket is left out
    return f"{statistics.median(counts.get(b, 0) for b in range(whole)):5.0f}/s" if whole >= 2 else "    -  "


def report_throughput(
    ledgers: dict[str, Ledger], event_ids: Sequence[str], start: float, since: str
) -> dict[str, float]:
    rates: dict[str, float] = {}
    for function, ledger in ledgers.items():
        events = [ledger.events[e] for e in event_ids]
        last = max(a.applied for a in events)
        sizes = batches(events)
        rates[function] = len(events) / (last - start)
        print(
            f"    {function:<23} {READ_MODELS[function]:<37} {rates[function]:6.0f} events/s  "
            f"1-s median {bucket_median([a.applied for a in events], start)}  all applied {last - start:5.1f} s "
            f"after {since}; {len(sizes)} batches, median {statistics.median(sizes):.0f} records"
        )
    return rates


def bench_live(writer: Writer, ledgers: dict[str, Ledger], workers: Sequence[Worker], cpu: CpuMeter, n: int) -> None:
    watermark = writer.max_outbox_id()
    cpu.start()
    before = Counter(writer.kinds)
    started = time.time()
    writer.write(n)
    written = time.time()
    event_ids = writer.event_ids_since(watermark)
    assert len(event_ids) == n, (len(event_ids), n)
    wait_applied(ledgers, event_ids, workers, DRAIN_TIMEOUT_S)
    kinds = writer.kinds - before
    tail = max(lg.events[e].applied for lg in ledgers.values() for e in event_ids) - written
    print(
        f"  a) live: {n:,} events ({kinds['created']:,} creates, {kinds['updated']:,} updates) committed as fast as "
        f"the writer can while the relay and the consumers run"
    )
    print(
        f"    {'writer (company write path)':<61} {n / (written - started):6.0f} events/s  "
        f"({written - started:.1f} s; the consumers finished "
        f"{tail:.1f} s after its last commit)"
    )
    report_throughput(ledgers, event_ids, started, "the first commit")
    print(f"    {cpu.line()}")


def bench_backlog(
    s: Stack, writer: Writer, ledgers: dict[str, Ledger], workers: Sequence[Worker], cpu: CpuMeter, n: int
) -> dict[str, float]:
    watermark = writer.max_outbox_id()
    holder: Any = connect(s.database_url)
    holder.autocommit = True
    try:
        holder.execute("SELECT pg_advisory_lock(%s)", (RELAY_LOCK_ID,))  # waits out a drain under way
        before = Counter(writer.kinds)
        t0 = time.time()
        writer.write(n)
        write_s = time.time() - t0
        event_ids = writer.event_ids_since(watermark)
        assert len(event_ids) == n, (len(event_ids), n)
        pending = int(holder.execute("SELECT count(*) AS n FROM outbox WHERE published_at IS NULL").fetchone()["n"])
        cpu.start()
        released = time.time()
        holder.execute("SELECT pg_advisory_unlock(%s)", (RELAY_LOCK_ID,))
        holder.execute("NOTIFY outbox")
    finally:
        holder.close()
    wait_applied(ledgers, event_ids, workers, DRAIN_TIMEOUT_S)
    kinds = writer.kinds - before
    print(
        f"  b) backlog: {n:,} events ({kinds['created']:,} creates, {kinds['updated']:,} updates) written in "
        f"{write_s:.1f} s while the relay was held off (its advisory lock taken), then released"
    )
    produced = max(ledgers[FUNCTIONS[0]].events[e].produced for e in event_ids)
    print(
        f"    {f'relay: outbox -> Kafka ({pending:,} pending)':<61} {n / (produced - released):6.0f} events/s  "
        f"(the last record produced {produced - released:.1f} s after the release)"
    )
    rates = report_throughput(ledgers, event_ids, released, "the release")
    print(f"    {cpu.line()}")
    return rates


# --- 2./4. lag ----------------------------------------------------------------------------------


@dataclass
class Lags:
    total: list[float] = field(default_factory=list)  # commit -> applied
    relay: list[float] = field(default_factory=list)  # commit -> produced (direct: published)
    transit: list[float] = field(default_factory=list)  # produced -> handed over (Kafka + the window)
    handler: list[float] = field(default_factory=list)  # handed over -> applied
    batch: list[int] = field(default_factory=list)  # records in each event's batch


def lags(ledger: Ledger, committed: dict[str, float]) -> Lags:
    out = Lags()
    sizes = Counter(ledger.events[e].handed_over for e in committed)
    for event_id, at in committed.items():
        a = ledger.events[event_id]
        out.total.append(a.applied - at)
        out.relay.append(a.produced - at)
        out.transit.append(a.handed_over - a.produced)
        out.handler.append(a.applied - a.handed_over)
        out.batch.append(sizes[a.handed_over])
    return out


@dataclass
class LagRun:
    stream: Stream
    by_function: dict[str, Lags]
    warm_s: float


def lag_run(writer: Writer, ledgers: dict[str, Ledger], workers: Sequence[Worker], seconds: float) -> LagRun:
    warm_started = time.monotonic()
    event_id, _ = writer.one()  # cold handlers, group joins
    wait_applied(ledgers, [event_id], workers, WARM_UP_TIMEOUT_S)
    warm_s = time.monotonic() - warm_started
    time.sleep(1.0)
    stream = writer.stream(STREAM_RATE, seconds)
    wait_applied(ledgers, list(stream.committed), workers, 60.0)
    return LagRun(stream, {f: lags(lg, stream.committed) for f, lg in ledgers.items()}, warm_s)


def stream_line(run: LagRun, rtt_ms: float) -> str:
    d = [x * 1000 for x in run.stream.durations]
    return (
        f"  {len(run.stream.committed)} single-event transactions at {run.stream.rate:.1f}/s (each p50 "
        f"{statistics.median(d):.1f} ms, p95 {pct(d, 95):.1f} ms); ratio = p50 / the broker's produce -> poll p50 "
        f"({rtt_ms:.1f} ms, section 3)"
    )


def report_kafka_lags(run: LagRun, rtt_ms: float) -> None:
    print(stream_line(run, rtt_ms))
    window_ms = BATCH_WINDOW_SECONDS * 1000
    for function, lg in run.by_function.items():
        print(f"  {function} ({READ_MODELS[function]}), batches of median {statistics.median(lg.batch):.0f}:")
        print(ms_row("commit -> applied", lg.total, rtt_ms))
        print(ms_row("  relay: commit -> produced to Kafka", lg.relay, rtt_ms))
        print(ms_row("  Kafka + window: produced -> handed over", lg.transit, rtt_ms))
        print(ms_row("  handler: handed over -> applied", lg.handler, rtt_ms))
        waits = [max(0.0, t - rtt_ms / 1000) for t in lg.transit]
        without = [t - w for t, w in zip(lg.total, waits, strict=True)]
        share = statistics.median(waits) / statistics.median(lg.total)
        print(
            f"    the window (produced -> handed over, less the broker's p50): "
            f"p50 {statistics.median(waits) * 1000:.0f} ms, p95 {pct(waits, 95) * 1000:.0f} ms = {share:.0%} "
            f"of the lag's p50; without it: p50 {statistics.median(without) * 1000:.0f} ms, "
            f"p95 {pct(without, 95) * 1000:.0f} ms"
        )
    per_window = STREAM_RATE * BATCH_WINDOW_SECONDS
    print(
        f"  At {STREAM_RATE:.0f}/s a {window_ms:.0f} ms window gathers ~{per_window:.0f} records, fewer than BatchSize "
        f"(100, 500): no batch fills, so every record waits out the rest of the window it arrived in, uniform "
        f"0-{window_ms:.0f} ms (p50 {window_ms / 2:.0f}, p95 {window_ms * 0.95:.0f} ms expected). AWS documents the "
        f"same default for Kafka event sources (MaximumBatchingWindowInSeconds: 500 ms for MSK and self-managed "
        f"Kafka; template.yaml sets none): the deployed functions have this floor too, plus the event source "
        f"mapping's poller and the Lambda invoke, which this run does not include."
    )


def report_direct_lags(direct: LagRun, kafka: LagRun, rtt_ms: float) -> None:
    print(stream_line(direct, rtt_ms))
    for function, lg in direct.by_function.items():
        print(f"  {function} ({READ_MODELS[function]}), batches of median {statistics.median(lg.batch):.0f}:")
        print(ms_row("commit -> applied", lg.total, rtt_ms))
        print(ms_row("  relay: commit -> published", lg.relay, rtt_ms))
        handed = [a + b for a, b in zip(lg.transit, lg.handler, strict=True)]
        print(ms_row("  handler: published -> applied", handed, rtt_ms))
        k, d = kafka.by_function[function].total, lg.total
        print(
            f"    Kafka path / embedded: p50 {statistics.median(k) * 1000:.0f} / {statistics.median(d) * 1000:.0f} ms "
            f"= {statistics.median(k) / statistics.median(d):.1f}x, p95 {pct(k, 95) * 1000:.0f} / "
            f"{pct(d, 95) * 1000:.0f} ms = {pct(k, 95) / pct(d, 95):.1f}x"
        )


# --- main ---------------------------------------------------------------------------------------


def print_baseline(trips: RoundTrips, label: str) -> None:
    print(f"  {label}")
    print(ms_row("produce -> acknowledged (acks=all)", trips.acked))
    print(ms_row("produce -> consumer.poll() returned it", trips.polled))
    print(ms_row(f"produce -> consume(100, {BATCH_WINDOW_SECONDS} s) returned it", trips.windowed))


def bench(plan: Plan, quick: bool) -> None:
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="bench-delivery-"))
    ledger_dir = tmp / "ledgers"
    direct_dir = tmp / "ledgers-direct"
    ledger_dir.mkdir()
    direct_dir.mkdir()
    workers: list[Worker] = []
    try:
        with stack(tmp) as s:
            print(
                f"delivery benchmark: Postgres + Kafka + Redis + ClickHouse (chdb) on 127.0.0.1, started in "
                f"{s.started_s:.0f} s; {os.cpu_count()} CPUs, load average {load_average()}; "
                f"{'--quick' if quick else 'default'} run, {plan.events:,} events per throughput run",
                flush=True,
            )
            before, after = RoundTrips(), RoundTrips()
            kafka_round_trips(s.kafka_bootstrap, plan.round_trips, plan.window_trips, before)

            # The full profile: relay -> Kafka -> one bridge consumer per function.
            writer = Writer(s.database_url, SEED)
            ledgers = {f: Ledger(ledger_dir / f"{f}.ledger") for f in FUNCTIONS}
            workers = kafka_workers(s, tmp, ledger_dir)
            for w in workers:
                w.start()
            warm_started = time.monotonic()
            event_id, _ = writer.one()
            wait_applied(ledgers, [event_id], workers, WARM_UP_TIMEOUT_S)
            cpu = CpuMeter({**{srv.name: srv.pid for srv in s.servers.values()}, **{w.name: w.pid for w in workers}})
            warm_s = time.monotonic() - warm_started
            heading(
                f"1. Throughput, outbox -> relay -> Kafka -> bridge consumer -> handler -> read model, transactions "
                f"of {BATCH} (the first event went through the cold pipeline in {warm_s:.1f} s)"
            )
            bench_live(writer, ledgers, workers, cpu, plan.events)
            backlog = bench_backlog(s, writer, ledgers, workers, cpu, plan.events)
            records = len(ledgers[FUNCTIONS[0]].events)
            alone = read_back_rate(s.kafka_bootstrap, records)
            shares = ", ".join(f"{f} {rate / alone:.0%}" for f, rate in backlog.items())
            print(
                f"    Kafka alone: a bare consumer with the bridge's settings (consume(500, 0.5 s), no handler) reads "
                f"the topic's {records:,} records back at {alone:,.0f} records/s; the backlog rates are {shares} of it",
                flush=True,
            )
            kafka_run = lag_run(writer, ledgers, workers, plan.stream_seconds)
            for w in workers:
                w.stop()

            # The embedded profile: relay.run_direct and its consumer groups, no Kafka.
            ledgers = {f: Ledger(direct_dir / f"{f}.ledger") for f in FUNCTIONS}
            workers = [direct_worker(s, tmp, direct_dir)]
            workers[0].start()
            direct_run = lag_run(writer, ledgers, workers, plan.stream_seconds)
            workers[0].stop()
            workers = []

            kafka_round_trips(s.kafka_bootstrap, plan.round_trips, plan.window_trips, after)
            rtt_ms = statistics.median(before.polled + after.polled) * 1000
            heading(
                f"2. End-to-end lag, Kafka path: {STREAM_RATE:.0f} single-event commits/s for {plan.stream_seconds:.0f}"
                f" s; commit = clock_timestamp() before COMMIT, applied = the handler returned"
            )
            report_kafka_lags(kafka_run, rtt_ms)
            heading(
                "3. Baseline: Kafka alone, one message at a time, the relay's producer settings "
                f"({plan.round_trips} + {plan.window_trips} messages before the pipeline started and again after it "
                "stopped)"
            )
            print_baseline(before, "before:")
            print_baseline(after, "after:")
            pooled = RoundTrips(
                before.acked + after.acked, before.polled + after.polled, before.windowed + after.windowed
            )
            print_baseline(pooled, "both (the reference of the ratios):")
            heading(
                "4. End-to-end lag, embedded path: relay.run_direct's groups calling the handlers in process, no "
                f"Kafka; the same stream (the first event went through the cold relay in {direct_run.warm_s:.1f} s)"
            )
            report_direct_lags(direct_run, kafka_run, rtt_ms)
            check_read_models(s, writer)
            writer.close()
            print(f"load average at the end {load_average()}")
    except BaseException:
        for w in workers:
            print(f"--- last lines of {w.log}:\n{process.tail(w.log, 30)}", file=sys.stderr)
        raise
    finally:
        for w in workers:
            w.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"total {time.monotonic() - started:.0f} s")


def check_read_models(s: Stack, writer: Writer) -> None:
    """The read models hold what was written: every company at its version in the search table, every event in
    ClickHouse (a sanity check that the handlers really applied the events, not a proof; see the faults test)."""
    import redis

    db: Any = connect(s.database_url)
    try:
        events = int(db.execute("SELECT count(*) AS n FROM company_events").fetchone()["n"])
        wrong = int(
            db.execute(
                "SELECT count(*) AS n FROM companies c LEFT JOIN company_search s ON s.company_id = c.id "
                "WHERE s.version IS DISTINCT FROM c.version"
            ).fetchone()["n"]
        )
        companies = int(db.execute("SELECT count(*) AS n FROM companies").fetchone()["n"])
    finally:
        db.close()
    rows = clickhouse_client(s.settings).query("SELECT count() FROM domain_events FINAL").result_rows[0][0]
    cache = redis.Redis.from_url(s.redis_url)
    cached = sum(1 for _ in cache.scan_iter("company:*", count=1000))
    cache.close()
    print(
        f"\nread models afterwards: {companies:,} companies, {wrong} of them at another version in company_search; "
        f"{cached:,} company keys in Redis; ClickHouse domain_events {int(rows):,} rows under FINAL for "
        f"{events:,} events in the event store ({dict(writer.kinds)}, {writer.transactions:,} transactions)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] in (["consumer"], ["direct"]):
        worker = argparse.ArgumentParser()
        worker.add_argument("mode", choices=["consumer", "direct"])
        worker.add_argument("--function", choices=FUNCTIONS)
        worker.add_argument("--ledger-dir", type=Path, required=True)
        wargs = worker.parse_args(args_list)
        logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {wargs.mode} %(levelname)s %(message)s")
        if wargs.mode == "consumer":
            return consumer_main(wargs.function, wargs.ledger_dir)
        return direct_main(wargs.ledger_dir)
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--events", type=int, default=None, help="events per throughput run (default 20000)")
    parser.add_argument("--quick", action="store_true", help="2,000 events and 5 s streams")
    args = parser.parse_args(args_list)
    signal.signal(signal.SIGTERM, _on_sigterm)
    bench(plan_for(args.events, args.quick), args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
