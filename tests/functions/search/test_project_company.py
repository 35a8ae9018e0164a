"""ProjectCompanyFunction (Kafka `company.events` -> the Redis cache and the search read model, here the embedded
profile's Postgres `company_search`): after a batch, search finds the company as of its newest event and the
cache holds that version; a redelivered or older event changes nothing; a deletion hides the company from both.
A batch with an unreadable record fails naming the record, the event and the field."""

from __future__ import annotations

import uuid
from types import ModuleType
from typing import Any

import pytest
from functions.calls import cold_start, company, delete, principal
from functions.stream_calls import WARMUP_KAFKA, kafka_batch, outbox_events, sample_envelope, update

from shared.cache import CompanyCache, redis_client
from shared.db import connect
from shared.events import UnreadableRecord
from support import LambdaContext


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "search", "project_company", database_url=postgres_url, redis_url=redis_url)


def indexed(postgres_url: str, company_id: object) -> dict[str, Any] | None:
    with connect(postgres_url) as conn:
        row = conn.execute(
            "SELECT version, name, deleted FROM company_search WHERE company_id = %s", (str(company_id),)
        ).fetchone()
    return dict(row) if row else None


def uncached(redis_url: str, company_id: object) -> CompanyCache:
    """The cache without the company (the service wrote it through on each write): only the projection fills it."""
    client = redis_client(redis_url)
    client.delete(f"company:{company_id}")
    return CompanyCache(client, 300)


def test_the_newest_version_of_a_batch_is_searchable_and_cached_once(
    fn: ModuleType, postgres_url: str, redis_url: str
) -> None:
    owner = principal("paid_user")
    created = company(postgres_url, redis_url, owner, description="Платёжный шлюз")
    update(postgres_url, redis_url, owner, created.id, name=f"{created.name} Плюс")
    cache = uncached(redis_url, created.id)
    batch = kafka_batch(*outbox_events(postgres_url, created.id))
    assert fn.handler(batch, LambdaContext()) == {"records": 2, "cached": 1, "indexed": 1}
    assert indexed(postgres_url, created.id) == {"version": 2, "name": f"{created.name} Плюс", "deleted": False}
    cached = cache.get(str(created.id))
    assert cached is not None and (cached.version, cached.name) == (2, f"{created.name} Плюс")
    assert fn.handler(batch, LambdaContext()) == {"records": 2, "cached": 0, "indexed": 0}  # redelivered
    first = kafka_batch(outbox_events(postgres_url, created.id)[0])  # an old event arriving late
    assert fn.handler(first, LambdaContext()) == {"records": 1, "cached": 0, "indexed": 0}
    assert indexed(postgres_url, created.id) == {"version": 2, "name": f"{created.name} Плюс", "deleted": False}


def test_a_deleted_company_leaves_search_and_the_cache(fn: ModuleType, postgres_url: str, redis_url: str) -> None:
    created = company(postgres_url, redis_url, None)
    fn.handler(kafka_batch(*outbox_events(postgres_url, created.id)), LambdaContext())
    delete(postgres_url, redis_url, None, str(created.id))
    fn.handler(kafka_batch(*outbox_events(postgres_url, created.id)), LambdaContext())
    assert indexed(postgres_url, created.id) == {"version": 2, "name": created.name, "deleted": True}
    assert CompanyCache(redis_client(redis_url), 300).get(str(created.id)) is None


def test_an_unreadable_record_fails_the_batch_naming_event_and_field(fn: ModuleType, postgres_url: str) -> None:
    good, bad = sample_envelope(), sample_envelope()
    good["aggregate_id"] = good["payload"]["company"]["id"] = str(uuid.uuid4())
    bad["payload"]["company"]["version"] = "второй"
    with pytest.raises(UnreadableRecord) as failed:
        fn.handler(kafka_batch(good, bad, offset=41), LambdaContext())
    message = str(failed.value)
    assert "company.events-0@42" in message and "company.created" in message and "payload.company.version" in message
    assert indexed(postgres_url, good["aggregate_id"]) is None  # nothing of the batch is applied


def test_the_warm_up_batch_touches_no_server(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> None:
    nowhere = f"127.0.0.1:{closed_port}"
    fn = cold_start(monkeypatch, "search", "project_company",
                    database_url=f"postgresql://u:p@{nowhere}/db", redis_url=f"redis://{nowhere}/0")  # fmt: skip
    assert fn.handler(WARMUP_KAFKA, LambdaContext()) == {"records": 0, "cached": 0, "indexed": 0}
