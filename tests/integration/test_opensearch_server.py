"""A real OpenSearch 2.19 node, assembled from Maven Central by localcloud, analyses Russian text:
the `russian` analyzer (module analysis-common) stems both the indexed text and the query, so
"платёжный сервис" finds "Платежные сервисы ...". Proves build/prepare/command/is_ready end to
end (needs java 17 and mvn; stdlib HTTP only)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from localcloud.servers import opensearch

pytestmark = pytest.mark.integration

READY_TIMEOUT_S = 90.0
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never proxy loopback


def _cache_dir() -> Path:
    return Path(os.environ.get("ALGOARTS_CACHE") or Path(__file__).resolve().parents[2] / ".cache")


def _free_ports(count: int) -> list[int]:
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM by PID (the launcher's shutdown hook closes the node), SIGKILL if it hangs."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _call(base: str, method: str, path: str, body: object | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    with _OPENER.open(req, timeout=30) as resp:
        return json.load(resp)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    build_dir = opensearch.build(_cache_dir())
    assert opensearch.build(_cache_dir()) == build_dir  # second call is the cached no-op
    data_dir = tmp_path_factory.mktemp("opensearch-data")
    port, transport = _free_ports(2)
    extra = {"transport": transport}
    assert set(extra) == set(opensearch.EXTRA_PORTS)
    opensearch.prepare(build_dir, data_dir, port, extra)
    opensearch.prepare(build_dir, data_dir, port, extra)  # idempotent
    argv, env = opensearch.command(build_dir, data_dir, port, extra)
    log_path = data_dir / "stdout.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(argv, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not opensearch.is_ready(port):
            if proc.poll() is not None:
                pytest.fail(f"opensearch exited with {proc.returncode}:\n{log_path.read_text()[-4000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"opensearch not ready in {READY_TIMEOUT_S}s:\n{log_path.read_text()[-4000:]}")
            time.sleep(0.25)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc)


def test_is_ready_false_on_a_closed_port() -> None:
    (port,) = _free_ports(1)
    assert opensearch.is_ready(port) is False


def test_node_is_opensearch_2_19_on_loopback(node: str) -> None:
    info = _call(node, "GET", "/")
    assert info["version"]["distribution"] == "opensearch"
    assert info["version"]["number"].startswith("2.19.")
    nodes = _call(node, "GET", "/_nodes/http,transport")["nodes"]
    (only,) = nodes.values()
    assert only["http"]["publish_address"].startswith("127.0.0.1:")
    assert only["transport"]["publish_address"].startswith("127.0.0.1:")


def test_russian_analyzer_stems(node: str) -> None:
    result = _call(node, "POST", "/_analyze", {"analyzer": "russian", "text": "платежные сервисы"})
    assert [t["token"] for t in result["tokens"]] == ["платежн", "сервис"]


def test_match_query_finds_text_by_russian_stems(node: str) -> None:
    index = "services-ru"
    _call(
        node,
        "PUT",
        f"/{index}",
        {
            "settings": {"number_of_shards": 1, "number_of_replicas": 0},
            "mappings": {"properties": {"title": {"type": "text", "analyzer": "russian"}}},
        },
    )
    _call(
        node,
        "PUT",
        f"/{index}/_doc/1?refresh=true",
        {"title": "Платежные сервисы для малого бизнеса"},
    )
    _call(node, "PUT", f"/{index}/_doc/2?refresh=true", {"title": "Доставка цветов"})

    found = _call(node, "POST", f"/{index}/_search", {"query": {"match": {"title": "платёжный сервис"}}})
    hits = found["hits"]["hits"]
    assert [h["_id"] for h in hits] == ["1"]
    assert hits[0]["_source"]["title"] == "Платежные сервисы для малого бизнеса"
