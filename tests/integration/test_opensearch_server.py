"""A real OpenSearch 2.19 node, assembled from Maven Central by localcloud, analyses Russian text:
the `russian` analyzer (module analysis-common) stems both the indexed text and the query, so
"платёжный сервис" finds "Платежные сервисы ...". Proves build/prepare/command/is_ready end to
end (needs java 17 and mvn; stdlib HTTP only). The node is the session's `opensearch_url`
(conftest.py), started through the same launcher interface."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from localcloud.paths import CACHE_DIR
from localcloud.servers import opensearch

pytestmark = pytest.mark.integration

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never proxy loopback


def _call(base: str, method: str, path: str, body: object | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    with _OPENER.open(req, timeout=30) as resp:
        return json.load(resp)


@pytest.fixture
def node(opensearch_url: str) -> str:
    return opensearch_url


def test_build_is_cached_and_prepare_is_idempotent(tmp_path: Path, closed_port: int) -> None:
    build_dir = opensearch.build(CACHE_DIR)
    assert opensearch.build(CACHE_DIR) == build_dir  # second call is the cached no-op
    assert (build_dir / "libs" / "localcloud-opensearch.jar").is_file()
    extra = {"transport": closed_port + 1 if closed_port < 65535 else closed_port - 1}
    assert set(extra) == set(opensearch.EXTRA_PORTS)
    data_dir = tmp_path / "opensearch"
    opensearch.prepare(build_dir, data_dir, closed_port, extra)
    opensearch.prepare(build_dir, data_dir, closed_port, extra)  # idempotent
    for sub in ("config", "data", "logs", "tmp"):
        assert (data_dir / sub).is_dir()
    argv, _ = opensearch.command(build_dir, data_dir, closed_port, extra)
    assert argv[-3:] == [str(data_dir.resolve()), str(closed_port), str(extra["transport"])]


def test_is_ready_false_on_a_closed_port(closed_port: int) -> None:
    assert opensearch.is_ready(closed_port) is False


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
