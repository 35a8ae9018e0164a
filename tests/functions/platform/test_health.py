"""GET /v1/health (HealthFunction, public): each dependency's state, 200 when every enabled one answers and 503
naming the one that does not; disabled ones (Kafka under direct delivery) are said to be."""

from __future__ import annotations

import pytest
from functions.calls import call, cold_start, request


def states(body: dict[str, list[dict[str, str]]]) -> dict[str, str]:
    return {d["name"]: d["status"] for d in body["dependencies"]}


def test_every_dependency_up_is_200(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, clickhouse_url: str
) -> None:
    fn = cold_start(
        monkeypatch, "platform", "health", database_url=postgres_url, redis_url=redis_url, clickhouse_url=clickhouse_url
    )
    answer = call(fn, request("health"))
    assert answer.status == 200, answer.body
    assert (answer.body["status"], answer.body["stage"]) == ("ok", "local")
    assert states(answer.body) == {
        "postgres": "ok", "redis": "ok", "search:postgres": "ok", "clickhouse": "ok", "kafka": "disabled",
    }  # fmt: skip
    assert all(d["latency_ms"] >= 0 for d in answer.body["dependencies"] if d["status"] == "ok")


def test_redis_down_is_503_naming_it(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, closed_port: int
) -> None:
    down = f"redis://127.0.0.1:{closed_port}/0"
    fn = cold_start(monkeypatch, "platform", "health", database_url=postgres_url, redis_url=down)
    answer = call(fn, request("health"))
    assert answer.status == 503, answer.body
    assert answer.body["status"] == "degraded"
    assert states(answer.body) == {
        "postgres": "ok", "redis": "down", "search:postgres": "ok", "clickhouse": "disabled", "kafka": "disabled",
    }  # fmt: skip
    (redis,) = [d for d in answer.body["dependencies"] if d["name"] == "redis"]
    assert redis["error"] and "Connection" in redis["error"]
