"""Dependency health for `GET /v1/health` and the self-check state machine.

Each check is bounded by the client's own timeout and reported separately, so one slow or dead
dependency names itself instead of failing the whole answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pydantic import BaseModel

from shared.settings import Settings


class DependencyState(BaseModel):
    name: str
    status: str  # "ok" | "down" | "disabled"
    latency_ms: float | None = None
    error: str | None = None


class HealthReport(BaseModel):
    status: str  # "ok" when every enabled dependency is ok, else "degraded"
    stage: str
    dependencies: list[DependencyState]


def _postgres(settings: Settings) -> None:
    from shared.db import connection

    conn = connection(settings.database_url)
    conn.execute("SELECT 1")
    conn.rollback()


def _redis(settings: Settings) -> None:
    from shared.cache import redis_client

    redis_client(settings.redis_url).ping()


def _search(settings: Settings) -> None:
    from shared.search import search_index

    search_index(settings).ping()


def _clickhouse(settings: Settings) -> None:
    from shared.analytics import clickhouse_client

    clickhouse_client(settings).command("SELECT 1")


def _kafka(settings: Settings) -> None:
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": settings.require("kafka_bootstrap")})
    admin.list_topics(timeout=3)


def checks(settings: Settings) -> dict[str, Callable[[Settings], None] | None]:
    return {
        "postgres": _postgres,
        "redis": _redis,
        f"search:{settings.search_backend}": _search,
        "clickhouse": _clickhouse if settings.clickhouse_url else None,
        "kafka": _kafka if settings.event_bus == "kafka" else None,
    }


def check_all(settings: Settings) -> HealthReport:
    states = []
    for name, check in checks(settings).items():
        if check is None:
            states.append(DependencyState(name=name, status="disabled"))
            continue
        started = time.perf_counter()
        try:
            check(settings)
        except Exception as exc:
            states.append(DependencyState(name=name, status="down", error=f"{type(exc).__name__}: {exc}"[:300]))
            continue
        states.append(
            DependencyState(name=name, status="ok", latency_ms=round((time.perf_counter() - started) * 1000, 2))
        )
    healthy = all(s.status != "down" for s in states)
    return HealthReport(status="ok" if healthy else "degraded", stage=settings.stage, dependencies=states)
