"""SelfCheckFunction (the task of the `platform_selfcheck` state machine, whose Choice reads `status`): every
enabled dependency is checked and reported on its own; one that is down makes the report "degraded" and names
itself with the error, the others still "ok"; the ones this deployment does not use are "disabled"."""

from __future__ import annotations

from typing import Any

import pytest
from functions.calls import cold_start

from support import LambdaContext, event


def states(report: dict[str, Any]) -> dict[str, str]:
    return {d["name"]: d["status"] for d in report["dependencies"]}


def test_every_enabled_dependency_is_ok(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, clickhouse_url: str
) -> None:
    fn = cold_start(monkeypatch, "platform", "selfcheck", database_url=postgres_url, redis_url=redis_url,
                    clickhouse_url=clickhouse_url)  # fmt: skip
    report = fn.handler(event("stepfunctions/selfcheck"), LambdaContext())
    assert report["status"] == "ok" and report["stage"] == "local"
    assert states(report) == {"postgres": "ok", "redis": "ok", "search:postgres": "ok", "clickhouse": "ok",
                              "kafka": "disabled"}  # fmt: skip
    assert all(d["latency_ms"] is not None for d in report["dependencies"] if d["status"] == "ok")


def test_a_dependency_that_is_down_names_itself(
    monkeypatch: pytest.MonkeyPatch, postgres_url: str, closed_port: int
) -> None:
    fn = cold_start(monkeypatch, "platform", "selfcheck", database_url=postgres_url,
                    redis_url=f"redis://127.0.0.1:{closed_port}/0")  # fmt: skip
    report = fn.handler(event("stepfunctions/selfcheck"), LambdaContext())
    assert report["status"] == "degraded"
    assert states(report) == {"postgres": "ok", "redis": "down", "search:postgres": "ok", "clickhouse": "disabled",
                              "kafka": "disabled"}  # fmt: skip
    (redis,) = [d for d in report["dependencies"] if d["name"] == "redis"]
    assert "ConnectionError" in redis["error"] and str(closed_port) in redis["error"]
