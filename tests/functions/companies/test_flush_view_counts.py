"""FlushViewCountsFunction (every minute, EventBridge): the page views counted in Redis since the last run are
written to `companies.view_count`; a run with nothing new viewed writes nothing, and a count is never lowered."""

from __future__ import annotations

from types import ModuleType

import pytest
from functions.calls import cold_start, company
from functions.stream_calls import WARMUP, scheduled_event

from shared.cache import ViewCounter, redis_client
from shared.db import connect
from support import LambdaContext


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "companies", "flush_view_counts", database_url=postgres_url, redis_url=redis_url)


def stored(postgres_url: str, company_id: object) -> int:
    with connect(postgres_url) as conn:
        row = conn.execute("SELECT view_count FROM companies WHERE id = %s", (str(company_id),)).fetchone()
    assert row is not None
    return int(row["view_count"])  # type: ignore[call-overload]


def test_the_views_counted_since_the_last_run_are_written_once(
    fn: ModuleType, postgres_url: str, redis_url: str
) -> None:
    counter = ViewCounter(redis_client(redis_url))
    viewed, other = (company(postgres_url, redis_url, None).id for _ in range(2))
    for _ in range(3):
        counter.hit(str(viewed), 0)
    counter.hit(str(other), 0)
    assert fn.handler(scheduled_event(), LambdaContext())["companies"] >= 2
    assert (stored(postgres_url, viewed), stored(postgres_url, other)) == (3, 1)
    assert fn.handler(scheduled_event(), LambdaContext()) == {"companies": 0}  # nothing viewed since
    counter.hit(str(viewed), 0)
    assert fn.handler(scheduled_event(), LambdaContext()) == {"companies": 1}
    assert (stored(postgres_url, viewed), stored(postgres_url, other)) == (4, 1)


def test_a_lower_total_never_lowers_the_stored_count(fn: ModuleType, postgres_url: str, redis_url: str) -> None:
    viewed = company(postgres_url, redis_url, None).id
    with connect(postgres_url) as conn:
        conn.execute("UPDATE companies SET view_count = 50 WHERE id = %s", (str(viewed),))
        conn.commit()
    ViewCounter(redis_client(redis_url)).hit(str(viewed), 0)  # Redis lost the counter and restarted below it
    fn.handler(scheduled_event(), LambdaContext())
    assert stored(postgres_url, viewed) == 50


def test_the_warm_up_touches_no_server(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    nowhere = f"127.0.0.1:{closed_port}"
    fn = cold_start(monkeypatch, "companies", "flush_view_counts",
                    database_url=f"postgresql://u:p@{nowhere}/db", redis_url=f"redis://{nowhere}/0")  # fmt: skip
    assert fn.handler(WARMUP, LambdaContext()) == {"companies": 0}
