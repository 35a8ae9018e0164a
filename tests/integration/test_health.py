"""`GET /v1/health` logic against the real dependencies: every one ok, and a dead one named as down."""

from __future__ import annotations

import pytest

from shared.health import HealthReport, check_all
from shared.settings import Settings

pytestmark = pytest.mark.integration


def _states(report: HealthReport) -> dict[str, str]:
    return {d.name: d.status for d in report.dependencies}


def test_every_dependency_ok(postgres_url: str, redis_url: str, clickhouse_url: str) -> None:
    settings = Settings(
        database_url=postgres_url,
        redis_url=redis_url,
        clickhouse_url=clickhouse_url,
        search_backend="postgres",
    )
    report = check_all(settings)
    assert _states(report) == {
        "postgres": "ok",
        "redis": "ok",
        "search:postgres": "ok",
        "clickhouse": "ok",
        "kafka": "disabled",  # event_bus="direct": the local cloud hands events to functions
    }
    assert report.status == "ok"
    assert report.stage == "local"
    for dep in report.dependencies:
        if dep.status == "ok":
            assert dep.latency_ms is not None and dep.latency_ms >= 0
            assert dep.error is None


def test_full_profile_dependencies_ok(
    postgres_url: str, redis_url: str, clickhouse_url: str, kafka_bootstrap: str, opensearch_url: str
) -> None:
    settings = Settings(
        database_url=postgres_url,
        redis_url=redis_url,
        clickhouse_url=clickhouse_url,
        search_backend="opensearch",
        opensearch_url=opensearch_url,
        event_bus="kafka",
        kafka_bootstrap=kafka_bootstrap,
    )
    report = check_all(settings)
    assert _states(report) == {
        "postgres": "ok",
        "redis": "ok",
        "search:opensearch": "ok",
        "clickhouse": "ok",
        "kafka": "ok",
    }
    assert report.status == "ok"


def test_closed_redis_port_is_reported_down(
    postgres_url: str, redis_url: str, clickhouse_url: str, closed_port: int
) -> None:
    dead_redis = f"redis://:secret@127.0.0.1:{closed_port}/0"
    settings = Settings(
        database_url=postgres_url,
        redis_url=dead_redis,
        clickhouse_url=clickhouse_url,
        search_backend="postgres",
    )
    report = check_all(settings)
    assert report.status == "degraded"
    assert _states(report) == {
        "postgres": "ok",
        "redis": "down",
        "search:postgres": "ok",
        "clickhouse": "ok",
        "kafka": "disabled",
    }
    (redis_state,) = [d for d in report.dependencies if d.name == "redis"]
    assert redis_state.error is not None
    assert redis_state.error.startswith("ConnectionError")
    assert f"127.0.0.1:{closed_port}" in redis_state.error
    assert "secret" not in redis_state.error  # the password never reaches the health answer
    assert redis_state.latency_ms is None


def test_closed_clickhouse_port_is_reported_down(postgres_url: str, redis_url: str, closed_port: int) -> None:
    settings = Settings(
        database_url=postgres_url,
        redis_url=redis_url,
        clickhouse_url=f"http://default:secret@127.0.0.1:{closed_port}/default",
        search_backend="postgres",
    )
    report = check_all(settings)
    assert report.status == "degraded"
    states = _states(report)
    assert states["clickhouse"] == "down"
    assert states["postgres"] == states["redis"] == "ok"
    (state,) = [d for d in report.dependencies if d.name == "clickhouse"]
    assert state.error is not None and str(closed_port) in state.error
    assert "secret" not in state.error
