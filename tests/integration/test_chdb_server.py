"""Integration tests for localcloud.servers.chdb_server.

Why: the platform's functions reach ClickHouse with clickhouse-connect over HTTP,
and locally that ClickHouse is chdb behind this small server. These tests start
the real server in a subprocess on a free loopback port and drive it with
clickhouse-connect exactly as a function would (Native query/insert, lz4 request
compression, settings, errors, auth), then restart it on the same folder.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import clickhouse_connect
import pytest
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import DatabaseError

ROOT = Path(__file__).resolve().parents[2]
LOCALSTACK = ROOT / "localstack"
if str(LOCALSTACK) not in sys.path:
    sys.path.insert(0, str(LOCALSTACK))

from localcloud.servers.chdb_server import is_ready  # noqa: E402

pytestmark = pytest.mark.integration

PASSWORD = "s3cret-for-tests"
START_TIMEOUT = 60.0


def _free_port() -> int:
    """A currently free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop one server process by its PID: SIGTERM (clean chdb close), then SIGKILL."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


class Servers:
    """Starts chdb servers for a test and guarantees they are stopped afterwards."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, data_dir: Path, port: int | None = None, wait: bool = True) -> tuple[subprocess.Popen[bytes], int]:
        """Launch ``python -m localcloud.servers.chdb_server`` and wait for /ping."""
        port = port or _free_port()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(LOCALSTACK), env.get("PYTHONPATH", "")) if p)
        env["CHDB_SERVER_PASSWORD"] = PASSWORD
        log_path = self.tmp_path / f"server-{port}-{len(self.procs)}.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "localcloud.servers.chdb_server",
                    "--path",
                    str(data_dir),
                    "--port",
                    str(port),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self.procs.append(proc)
        if wait:
            deadline = time.monotonic() + START_TIMEOUT
            while not is_ready(port):
                if proc.poll() is not None:
                    pytest.fail(f"server exited with {proc.returncode}: {log_path.read_text()}")
                if time.monotonic() > deadline:
                    pytest.fail("server did not become ready in time")
                time.sleep(0.1)
        return proc, port

    def stop_all(self) -> None:
        """Finalizer: stop every process this test started, by PID."""
        for proc in self.procs:
            _stop(proc)


@pytest.fixture
def servers(tmp_path: Path, request: pytest.FixtureRequest) -> Servers:
    svc = Servers(tmp_path)
    request.addfinalizer(svc.stop_all)
    return svc


@pytest.fixture
def client_factory(request: pytest.FixtureRequest) -> Callable[..., Client]:
    """clickhouse-connect clients that are closed when the test ends."""
    clients: list[Client] = []

    def make(port: int, **kwargs: Any) -> Client:
        options: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": port,
            "username": "default",
            "password": PASSWORD,
        }
        options.update(kwargs)
        client = clickhouse_connect.get_client(**options)
        clients.append(client)
        return client

    def close_all() -> None:
        for client in clients:
            client.close()

    request.addfinalizer(close_all)
    return make


@pytest.fixture
def server(servers: Servers, tmp_path: Path) -> Iterator[int]:
    _, port = servers.start(tmp_path / "data")
    yield port


CREATE_EVENTS = """
CREATE TABLE events (
    ts DateTime,
    id UInt64,
    name String,
    value Float64,
    tags Array(String),
    kind LowCardinality(String),
    maybe Nullable(Int32)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (ts, id)
TTL ts + INTERVAL 90 DAY
"""
COLUMNS = ["ts", "id", "name", "value", "tags", "kind", "maybe"]


def _rows(now: dt.datetime) -> list[list[object]]:
    """1000 rows spread over ~42 days (several monthly partitions, all inside the TTL)."""
    return [
        [
            now - dt.timedelta(hours=i),
            i,
            f"name-{i}",
            i * 0.5,
            ["a", "b", "c"][: i % 4],
            f"k{i % 3}",
            None if i % 5 == 0 else i,
        ]
        for i in range(1000)
    ]


def test_roundtrip_survives_restart(servers: Servers, client_factory: Callable[..., Client], tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    proc, port = servers.start(data_dir)
    client = client_factory(port)
    assert (client.server_version or "").startswith(("2", "3"))

    client.command(CREATE_EVENTS)
    ddl = client.command("SHOW CREATE TABLE events")
    assert "PARTITION BY toYYYYMM(ts)" in str(ddl) and "TTL ts + toIntervalDay(90)" in str(ddl)

    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    rows = _rows(now)
    summary = client.insert("events", rows, column_names=COLUMNS)  # Native, lz4-compressed, chunked
    assert summary.written_rows in (1000, 0)  # 0 only on chdb 3.x, which reports no write counters

    result = client.query("SELECT id, name, value, tags, kind, maybe FROM events ORDER BY id")
    assert result.column_names == ("id", "name", "value", "tags", "kind", "maybe")
    assert len(result.result_rows) == 1000
    expected = [tuple(r[1:]) for r in rows]
    assert result.result_rows == expected

    first = client.query("SELECT ts FROM events WHERE id = 0").result_rows[0][0]
    assert first.replace(tzinfo=None) == now

    stats = client.query("SELECT count(), sum(id), uniqExact(toYYYYMM(ts)) FROM events").result_rows[0]
    assert stats[0] == 1000 and stats[1] == sum(range(1000))
    partitions = client.query(
        "SELECT count(DISTINCT partition) FROM system.parts"
        " WHERE database = currentDatabase() AND table = 'events' AND active"
    ).result_rows[0][0]
    assert partitions == stats[2] >= 2

    # Server-side bound parameters and a per-query setting.
    found = client.query(
        "SELECT name FROM events WHERE id = {id:UInt64}", parameters={"id": 42}, settings={"max_threads": 1}
    ).result_rows
    assert found == [("name-42",)]

    # Restart on the same folder: the data must be there.
    client.close()
    _stop(proc)
    assert proc.returncode == 0  # SIGTERM closes chdb cleanly
    _, port2 = servers.start(data_dir)
    client2 = client_factory(port2)
    after = client2.query("SELECT count(), sum(id), any(name) FROM events WHERE id = 7").result_rows
    assert after == [(1, 7, "name-7")]
    assert client2.query("SELECT count() FROM events").result_rows == [(1000,)]


def test_failing_query_raises_database_error(server: int, client_factory: Callable[..., Client]) -> None:
    client = client_factory(server)
    with pytest.raises(DatabaseError) as syntax:
        client.query("SELEC 1")
    assert syntax.value.code == 62
    with pytest.raises(DatabaseError) as missing:
        client.query("SELECT * FROM no_such_table")
    assert missing.value.code == 60
    with pytest.raises(DatabaseError) as bad_setting:
        client.query("SELECT 1", settings={"no_such_setting_xyz": 1})
    assert bad_setting.value.code == 115
    # The session stays usable after errors (and after the failed SET).
    assert client.query("SELECT 1 + 1").result_rows == [(2,)]


def test_wrong_password_is_refused(server: int, client_factory: Callable[..., Client]) -> None:
    for password in ("wrong", ""):
        with pytest.raises(DatabaseError) as refused:
            client_factory(server, password=password)
        assert refused.value.code == 516
    with pytest.raises(DatabaseError):
        client_factory(server, username="intruder")
    assert client_factory(server).command("SELECT 1") == 1


def test_insert_compression_variants_and_raw_formats(server: int, client_factory: Callable[..., Client]) -> None:
    admin = client_factory(server)
    admin.command("CREATE TABLE kv (k UInt32, v String) ENGINE = MergeTree ORDER BY k")
    for n, compress in enumerate(("zstd", "gzip", False), start=1):
        client = client_factory(server, compress=compress)
        client.insert("kv", [[n, f"v{n}"]], column_names=["k", "v"])
    admin.raw_insert("kv", ["k", "v"], "10\tten\n11\televen\n", fmt="TabSeparated")
    assert admin.query("SELECT k, v FROM kv ORDER BY k").result_rows == [
        (1, "v1"),
        (2, "v2"),
        (3, "v3"),
        (10, "ten"),
        (11, "eleven"),
    ]
    assert admin.raw_query("SELECT k FROM kv WHERE k > 10 FORMAT JSONEachRow") == b'{"k":11}\n'


def test_second_server_on_same_folder_fails(servers: Servers, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    servers.start(data_dir)
    second, _ = servers.start(data_dir, wait=False)
    assert second.wait(timeout=START_TIMEOUT) != 0
