"""Page views on real Redis and Postgres: counted per read, flushed to `companies.view_count`, never lowered."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from shared.cache import ViewCounter, redis_client
from shared.commands import Context
from shared.companies import service
from shared.companies.model import CompanyCreate
from shared.companies.views import count_view, flush_views
from shared.identity.guard import Principal
from shared.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(postgres_url: str, redis_url: str) -> Settings:
    return Settings(database_url=postgres_url, redis_url=redis_url)


@pytest.fixture
def counter(redis_url: str) -> ViewCounter:
    return ViewCounter(redis_client(redis_url))


def _company(settings: Settings) -> str:
    owner = Principal(
        user_id=str(uuid.uuid4()), email="u@example.ru", roles=("paid_user",),
        permissions=("company:read", "company:write"), company_id=None, jti="j", iat=0, exp=0,
    )  # fmt: skip
    command = CompanyCreate(name=f"Счётчик {uuid.uuid4().hex[:8]}", industry="fintech")
    return str(service.create_company(settings, command, Context(principal=owner, correlation_id="c")).id)


def _stored(settings: Settings, company_id: str) -> int:
    with psycopg.connect(settings.database_url) as conn:
        row = conn.execute("SELECT view_count FROM companies WHERE id = %s", (company_id,)).fetchone()
    assert row is not None
    return int(row[0])


def test_each_read_counts_and_the_flush_writes_the_totals(settings: Settings, counter: ViewCounter) -> None:
    first, second = _company(settings), _company(settings)
    seen = [count_view(counter, service.get_company(settings, first)).view_count for _ in range(3)]
    assert seen == [1, 2, 3]
    assert count_view(counter, service.get_company(settings, second)).view_count == 1
    assert _stored(settings, first) == 0  # not yet flushed

    assert flush_views(settings, counter) >= 2
    assert (_stored(settings, first), _stored(settings, second)) == (3, 1)
    assert flush_views(settings, counter) == 0  # nothing viewed since
    assert service.get_company(settings, first).view_count == 3


def test_a_lost_redis_counter_restarts_from_postgres(settings: Settings, counter: ViewCounter) -> None:
    company_id = _company(settings)
    for _ in range(4):
        count_view(counter, service.get_company(settings, company_id))
    flush_views(settings, counter)
    redis_client(settings.redis_url).delete(ViewCounter.key(company_id))  # evicted, or Redis restarted empty

    assert count_view(counter, service.get_company(settings, company_id)).view_count == 5
    flush_views(settings, counter)
    assert _stored(settings, company_id) == 5


def test_a_flush_never_lowers_a_count(settings: Settings, counter: ViewCounter) -> None:
    company_id = _company(settings)
    with psycopg.connect(settings.database_url) as conn:
        conn.execute("UPDATE companies SET view_count = 50 WHERE id = %s", (company_id,))
    redis_client(settings.redis_url).set(ViewCounter.key(company_id), 7)  # a stale counter
    counter.mark_changed([company_id])
    flush_views(settings, counter)
    assert _stored(settings, company_id) == 50


def test_a_failed_flush_gives_the_companies_back(settings: Settings, counter: ViewCounter) -> None:
    company_id = _company(settings)
    count_view(counter, service.get_company(settings, company_id))
    broken = Settings(database_url="postgresql://nobody@127.0.0.1:1/none", redis_url=settings.redis_url)
    with pytest.raises(psycopg.OperationalError):
        flush_views(broken, counter)
    flush_views(settings, counter)
    assert _stored(settings, company_id) == 1
