"""Session fixtures for the tiers that need real servers (integration, functions): each server starts once,
on demand, and stops at the end. Each tier's conftest.py imports the fixtures it offers from here.

A fixture starts its server only when a test asks for it (pytest instantiates session fixtures
lazily), on free 127.0.0.1 ports, with its data in pytest's temporary folder and build caches in
`localcloud.paths.CACHE_DIR`. Every server runs in its own process group and is stopped by its PID
when the session ends, also when a test or the start-up itself failed. No server is ever faked:
see DESIGN.md section 3.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from localcloud import process
from localcloud.paths import CACHE_DIR
from localcloud.servers import clickhouse, kafka, opensearch, postgres, redis

READY_TIMEOUT_S = {"postgres": 60.0, "redis": 30.0, "clickhouse": 60.0, "kafka": 120.0, "opensearch": 180.0}


def free_ports(count: int) -> list[int]:
    """`count` distinct free TCP ports on 127.0.0.1 (all sockets held until every port is chosen)."""
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass
class RunningServer:
    name: str
    pid: int
    port: int
    extra_ports: dict[str, int]
    data_dir: Path
    log: Path


class _Launcher:
    """Starts servers through the common launcher interface (build, prepare, command, is_ready)."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory

    @contextmanager
    def start(
        self, name: str, module: ModuleType, *, user: str | None = None, **prepare_kw: Any
    ) -> Iterator[RunningServer]:
        """The running server; stopped by its PID on exit, also when start-up or the session failed."""
        build_dir = module.build(CACHE_DIR)
        base = self._tmp.mktemp(name)
        data_dir = base / "data"
        data_dir.mkdir()
        log = base / f"{name}.log"
        extra_names: tuple[str, ...] = module.EXTRA_PORTS
        port, *extra = free_ports(1 + len(extra_names))
        extra_ports = dict(zip(extra_names, extra, strict=True))
        module.prepare(build_dir, data_dir, port, extra_ports, **prepare_kw)
        argv, env = module.command(build_dir, data_dir, port, extra_ports)
        pid = process.spawn(argv, log, env=env, user=user)
        try:
            try:
                process.wait_ready(name, pid, log, lambda: bool(module.is_ready(port)), READY_TIMEOUT_S[name])
            except process.PartFailed as exc:
                pytest.fail(str(exc), pytrace=False)
            yield RunningServer(name, pid, port, extra_ports, data_dir, log)
        finally:
            process.stop(pid, timeout=30.0)
            assert not process.alive(pid), f"{name} (pid {pid}) is still running"


@pytest.fixture(scope="session")
def launcher(tmp_path_factory: pytest.TempPathFactory) -> _Launcher:
    return _Launcher(tmp_path_factory)


@pytest.fixture(scope="session")
def postgres_url(launcher: _Launcher) -> Iterator[str]:
    """PostgreSQL 18 + pgvector on loopback, database created and every migration applied."""
    from shared.migrate import migrate_postgres

    password = secrets.token_hex(16)
    with launcher.start("postgres", postgres, user=postgres.run_as(), password=password) as server:
        postgres.ensure_database(server.port, password)
        url = postgres.url(server.port, password)
        applied = migrate_postgres(url)
        assert applied, "the first migration run applied nothing"
        try:
            yield url
        finally:
            _close_cached_postgres(url)  # pooled by shared.db for the functions; not the server's job


def _close_cached_postgres(url: str) -> None:
    from shared import db

    conn = db._connections.pop(url, None)
    if conn is not None:
        conn.close()


@pytest.fixture(scope="session")
def redis_url(launcher: _Launcher) -> Iterator[str]:
    password = secrets.token_hex(16)
    with launcher.start("redis", redis, password=password) as server:
        yield redis.url(server.port, password)


@pytest.fixture(scope="session")
def clickhouse_url(launcher: _Launcher) -> Iterator[str]:
    """chdb behind localcloud's ClickHouse HTTP server, with the analytics DDL applied."""
    from shared.analytics import clickhouse_client
    from shared.migrate import migrate_clickhouse
    from shared.settings import Settings

    password = secrets.token_hex(16)
    with launcher.start("clickhouse", clickhouse, password=password) as server:
        url = f"http://default:{password}@127.0.0.1:{server.port}/default"
        settings = Settings(database_url="postgresql://unused", redis_url="redis://unused", clickhouse_url=url)
        assert migrate_clickhouse(clickhouse_client(settings))
        yield url


@pytest.fixture(scope="session")
def kafka_bootstrap(launcher: _Launcher) -> Iterator[str]:
    """A single-node Kafka (KRaft) broker: `127.0.0.1:PORT`."""
    with launcher.start("kafka", kafka) as server:
        yield f"127.0.0.1:{server.port}"


@pytest.fixture(scope="session")
def opensearch_url(launcher: _Launcher) -> Iterator[str]:
    """An OpenSearch 2.19 node: `http://127.0.0.1:PORT`."""
    user = getattr(opensearch, "run_as", lambda: None)()
    with launcher.start("opensearch", opensearch, user=user) as server:
        yield f"http://127.0.0.1:{server.port}"


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (for "dependency is down" cases)."""
    (port,) = free_ports(1)
    return port


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Any]:
    """A fresh psycopg connection (dict rows, autocommit off) closed after the test."""
    from shared.db import connect

    conn = connect(postgres_url)
    try:
        yield conn
    finally:
        conn.close()
