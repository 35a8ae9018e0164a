"""`algoarts local up|down|status|run`: the whole local cloud, started and stopped by PID.

Order matters: backing servers first (with migrations), then the emulator and the deploy, then the
relay (and the Kafka bridge in the full profile), then the sample data through the public API.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from types import ModuleType
from typing import Any

from localcloud import process, registry_setup
from localcloud.identity_setup import demo_accounts, provision_keys
from localcloud.paths import CACHE_DIR, STATE_DIR, TEMPLATE
from localcloud.runtime import CloudState, PartState, boto_session, load_secrets
from localcloud.servers import clickhouse, ministack, postgres, redis

PROFILES = ("embedded", "full")
START_TIMEOUT = {"kafka": 120.0, "opensearch": 180.0}


def _say(message: str) -> None:
    print(message, flush=True)


def _start_server(
    state: CloudState, name: str, module: ModuleType, data_dir: Path, *, user: str | None = None, **prepare: Any
) -> PartState:
    started = time.monotonic()
    build_dir = module.build(CACHE_DIR)
    port = process.free_port()
    extra = {n: process.free_port() for n in module.EXTRA_PORTS}
    module.prepare(build_dir, data_dir, port, extra, **prepare)
    argv, env = module.command(build_dir, data_dir, port, extra)
    log = STATE_DIR / "logs" / f"{name}.log"
    pid = process.spawn(argv, log, env=env, user=user)
    part = PartState(name=name, pid=pid, port=port, url=f"127.0.0.1:{port}", log=str(log))
    state.parts[name] = part
    state.save()
    process.wait_ready(name, pid, log, lambda: bool(module.is_ready(port)), START_TIMEOUT.get(name, 60.0))
    _say(f"  {name:<11} 127.0.0.1:{port}  ({time.monotonic() - started:.1f} s)")
    return part


def _start_python(state: CloudState, name: str, module: str) -> None:
    log = STATE_DIR / "logs" / f"{name}.log"
    pid = process.spawn([sys.executable, "-m", module, "--state", str(STATE_DIR)], log)
    state.parts[name] = PartState(name=name, pid=pid, port=None, url="-", log=str(log))
    state.save()
    time.sleep(0.3)
    if not process.alive(pid):
        raise process.PartFailed(f"{name} exited at once:\n{process.tail(log)}")
    _say(f"  {name:<11} pid {pid}")


def _check_java() -> None:
    import shutil

    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        raise process.PartFailed(
            f"PROFILE=full needs {' and '.join(missing)}: install them (apt-get install openjdk-17-jdk-headless "
            "maven) or run the embedded profile with `make dev`"
        )


def up(profile: str = "embedded", seed: bool = True) -> CloudState:
    if profile not in PROFILES:
        raise SystemExit(f"unknown PROFILE {profile!r}: choose one of {', '.join(PROFILES)}")
    current = CloudState.load()
    if current and all(process.alive(p.pid) for p in current.parts.values()) and current.api_url:
        if current.profile == profile:
            _say(f"already running ({profile})")
            _say(f"API: {current.api_url}")
            return current
        _say(f"stopping the running {current.profile} profile first")
    if current:
        down(quiet=True)
    if profile == "full":
        _check_java()
    started = time.monotonic()
    state = CloudState(profile=profile)
    _say(f"starting the local cloud ({profile}) in {STATE_DIR}")
    try:
        secret_params = _start_backing_servers(state, load_secrets())
        ms = _start_server(state, "ministack", ministack, STATE_DIR / "ministack")
        state.endpoint = f"http://127.0.0.1:{ms.port}"
        provision_keys(state)
        registry_setup.provision_secret(state)
        from localcloud import notify_setup

        notify_setup.provision_secrets(state)
        _deploy(state, {**state.parameters, **secret_params})
        _start_python(state, "relay", "localcloud.relay")
        _start_python(state, "scheduler", "localcloud.scheduler")  # the template's Schedule rules
        if profile == "full":
            _start_python(state, "bridge", "localcloud.bridge")
        _warm_functions(state)
        state.save()
        accounts = demo_accounts(state)
        notify_setup.connect(state, accounts)  # the bot's webhook, the demo accounts' Telegram chats
        if seed:
            from localcloud.seed import seed_sample_data, wait_until_settled

            if seed_sample_data(state, accounts) and (settled := wait_until_settled(state)) is not None:
                _say(f"  settled     sample data verified, embedded and projected in {settled:.1f} s")
    except BaseException:
        _say("start-up failed; stopping what was started")
        down(quiet=True)
        raise
    write_status(state)
    _say(f"ready in {time.monotonic() - started:.1f} s")
    _say("demo accounts (role, email, password):")
    for role, email, password in accounts:
        _say(f"  {role:<15} {email:<40} {password}")
    if app := state.parts.get("app"):
        _say(f"App: http://127.0.0.1:{app.port} (what links in emails and Telegram messages open)")
    _say(f"API: {state.api_url}")
    return state


def _start_backing_servers(state: CloudState, secrets: dict[str, str]) -> dict[str, str]:
    """Postgres, Redis, ClickHouse (and Kafka, OpenSearch in the full profile), migrated and
    provisioned; sets the stack's plain parameters and returns its secret ones."""
    from shared.migrate import migrate_clickhouse, migrate_postgres

    pg = _start_server(
        state, "postgres", postgres, STATE_DIR / "postgres", user=postgres.run_as(), password=secrets["postgres"]
    )
    assert pg.port is not None
    postgres.ensure_database(pg.port, secrets["postgres"])
    migrate_postgres(postgres.url(pg.port, secrets["postgres"]))
    rd = _start_server(state, "redis", redis, STATE_DIR / "redis", password=secrets["redis"])
    ch = _start_server(state, "clickhouse", clickhouse, STATE_DIR / "clickhouse", password=secrets["clickhouse"])
    clickhouse_url = f"http://default:{secrets['clickhouse']}@127.0.0.1:{ch.port}/default"
    _migrate_clickhouse(clickhouse_url, migrate_clickhouse)
    registry = registry_setup.start(state)
    state.parameters = {
        "Stage": "local",
        "DadataUrl": f"http://127.0.0.1:{registry.port}",
        "SearchBackend": "postgres",
        "EventBus": "direct",
        "KafkaBootstrap": "127.0.0.1:9",  # unused: the relay delivers directly
        "OpenSearchUrl": "",
    }
    from localcloud.servers import rss

    rss.start_part(state)  # sets ScoutFeeds: the scout reads the stand-in's VC.ru and Habr feeds
    from localcloud import notify_setup

    notify_setup.start(state)  # the web origin, SMTP, Telegram and push stand-ins: the notification parameters
    # A review window of days is right for users; tests deploy a few seconds to see runs expire.
    if review_timeout := os.environ.get("ALGOARTS_LOCAL_REVIEW_TIMEOUT_SECONDS"):
        state.parameters["DiscoveryReviewTimeoutSeconds"] = str(int(review_timeout))
    # Likewise a notification retried every 10 s, 20 s ... is right for users; tests see it dead-lettered sooner.
    if retry_base := os.environ.get("ALGOARTS_LOCAL_NOTIFICATION_RETRY_SECONDS"):
        state.parameters["NotificationRetryBaseSeconds"] = str(int(retry_base))
    if state.profile == "full":
        from localcloud.servers import kafka, opensearch

        kf = _start_server(state, "kafka", kafka, STATE_DIR / "kafka")
        os_ = _start_server(state, "opensearch", opensearch, STATE_DIR / "opensearch", user=_opensearch_user())
        state.kafka_bootstrap = f"127.0.0.1:{kf.port}"
        _create_search_index(f"http://127.0.0.1:{os_.port}")
        state.parameters.update(
            SearchBackend="opensearch",
            EventBus="kafka",
            KafkaBootstrap=state.kafka_bootstrap,
            OpenSearchUrl=f"http://127.0.0.1:{os_.port}",
        )
    return {
        "DatabaseUrl": postgres.url(pg.port, secrets["postgres"]),
        "RedisUrl": redis.url(rd.port or 0, secrets["redis"]),
        "ClickHouseUrl": clickhouse_url,
    }


def _opensearch_user() -> str | None:
    from localcloud.servers import opensearch

    run_as: Callable[[], str | None] | None = getattr(opensearch, "run_as", None)
    return run_as() if run_as else None


def _migrate_clickhouse(url: str, migrate: Callable[[Any], list[str]]) -> None:
    from shared.analytics import clickhouse_client
    from shared.settings import Settings

    settings = Settings(database_url="postgresql://x", redis_url="redis://x", clickhouse_url=url)
    migrate(clickhouse_client(settings))


def _create_search_index(url: str) -> None:
    """Provisioning, like migrations: the versioned index and its alias exist before any event."""
    from shared.search.opensearch_index import OpenSearchIndex

    OpenSearchIndex(url).ensure_index()


WARMUP_HTTP_EVENT = {
    "version": "2.0",
    "routeKey": "$default",
    "rawPath": "/_warmup",
    "rawQueryString": "",
    "headers": {},
    "requestContext": {
        "http": {"method": "GET", "path": "/_warmup", "sourceIp": "127.0.0.1"},
        "requestId": "warmup",
        "stage": "$default",
    },
    "isBase64Encoded": False,
}
WARMUP_KAFKA_EVENT = {"eventSource": "SelfManagedKafka", "records": {}}


def _warm_functions(state: CloudState) -> None:
    """One harmless invocation per function (a 404 for HTTP ones, an empty batch for stream ones),
    so `ready` means warm, as provisioned concurrency would in the cloud."""
    from concurrent.futures import ThreadPoolExecutor

    from localcloud import template as tpl

    template = tpl.load(TEMPLATE)
    http = {r.function for r in tpl.http_routes(template)}
    stream = {s.function for s in tpl.kafka_sources(template)}
    lam = boto_session(state.endpoint).client("lambda")

    def warm(function: str) -> None:
        event = WARMUP_HTTP_EVENT if function in http else WARMUP_KAFKA_EVENT if function in stream else {}
        response = lam.invoke(FunctionName=state.functions[function], Payload=json.dumps(event).encode())
        if response.get("FunctionError"):
            raise process.PartFailed(f"{function} failed its warm-up: {response['Payload'].read()[:500]!r}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(warm, sorted(state.functions)))


def _deploy(state: CloudState, parameters: dict[str, str]) -> None:
    from localcloud.deploy import deploy

    session = boto_session(state.endpoint)
    result = deploy(session, TEMPLATE, parameters, CACHE_DIR / "build", state.endpoint)
    state.api_url = result.api_url
    state.functions = result.functions
    state.queues = result.queues
    state.state_machines = result.state_machines
    state.save()
    _say(f"  deployed    {len(result.functions)} functions in {result.seconds:.1f} s")


RESTARTABLE = {"relay": "localcloud.relay", "bridge": "localcloud.bridge", "scheduler": "localcloud.scheduler"}


def restart(name: str) -> None:
    """Stop (if still alive) and start again one of the cloud's own processes: the relay or the Kafka
    bridge. Both resume where they left off: the outbox's unpublished rows, the groups' committed offsets."""
    state = CloudState.load()
    if state is None:
        raise process.PartFailed("not running (start it with `make dev`)")
    if name not in RESTARTABLE or name not in state.parts:
        running = ", ".join(n for n in RESTARTABLE if n in state.parts)
        raise process.PartFailed(f"can restart: {running}")
    process.stop(state.parts[name].pid)
    _start_python(state, name, RESTARTABLE[name])
    state.save()


def down(quiet: bool = False) -> None:
    state = CloudState.load()
    if state is None:
        if not quiet:
            _say("nothing is running")
        return
    # Reverse start order: consumers before the servers they use.
    for part in reversed(list(state.parts.values())):
        process.stop(part.pid)
        if not quiet:
            _say(f"  stopped {part.name} (pid {part.pid})")
    ministack.clean_workers(STATE_DIR / "ministack")
    (STATE_DIR / "cloud.json").unlink(missing_ok=True)
    (STATE_DIR / "status.json").unlink(missing_ok=True)


def _healthy(state: CloudState, part: PartState) -> bool:
    from localcloud.servers import dadata, kafka, opensearch, rss

    probes: dict[str, Callable[[int], bool]] = {
        "postgres": postgres.is_ready,
        "redis": redis.is_ready,
        "clickhouse": clickhouse.is_ready,
        "ministack": ministack.is_ready,
        "kafka": kafka.is_ready,
        "opensearch": opensearch.is_ready,
        "dadata": dadata.is_ready,
        "rss": rss.is_ready,
    }
    probe = probes.get(part.name)
    return process.alive(part.pid) and (probe is None or part.port is None or probe(part.port))


def write_status(state: CloudState) -> list[dict[str, Any]]:
    rows = []
    for part in state.parts.values():
        healthy = _healthy(state, part)
        row = {**asdict(part), "healthy": healthy}
        if not healthy:
            row["log_tail"] = process.tail(Path(part.log))
        rows.append(row)
    api_ok = _api_ok(state.api_url)
    rows.append({"name": "api", "url": state.api_url, "healthy": api_ok})
    (STATE_DIR / "status.json").write_text(json.dumps({"profile": state.profile, "parts": rows}, indent=2))
    return rows


def _api_ok(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/v1/health", timeout=5) as r:  # noqa: S310 - loopback URL we built
            return bool(r.status == 200)
    except OSError:
        return False


def status() -> int:
    state = CloudState.load()
    if state is None:
        _say("not running (start it with `make dev`)")
        return 1
    rows = write_status(state)
    _say(f"profile: {state.profile}")
    for row in rows:
        mark = "ok  " if row["healthy"] else "DOWN"
        _say(f"  {mark} {row['name']:<11} {row['url']}")
        if not row["healthy"] and row.get("log_tail"):
            _say("       " + row["log_tail"].replace("\n", "\n       "))
    _say(f"status file: {STATE_DIR / 'status.json'}")
    return 0 if all(r["healthy"] for r in rows) else 2


def run(profile: str) -> None:
    """`make dev`: up, then wait; Ctrl-C or SIGTERM stops everything that was started."""
    import signal

    def _term(*_: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _term)
    try:
        up(profile)
        _say("press Ctrl-C to stop")
        while True:
            time.sleep(5)
            state = CloudState.load()
            if state is None:
                return
            dead = [p for p in state.parts.values() if not process.alive(p.pid)]
            for part in dead:
                _say(f"{part.name} died; last lines of {part.log}:\n{process.tail(Path(part.log))}")
            if dead:
                raise SystemExit(1)
    except KeyboardInterrupt:
        _say("\nstopping")
    finally:
        down()
