"""Both search adapters against their real backends: Postgres (russian FTS + pg_trgm) and OpenSearch.

Users type Russian in any inflection, with or without ё, and with typos; the index must find the company
and rank it first, and a replayed or reordered (stale) event must never move the index backwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.companies.model import Company
from shared.db import connect
from shared.search import SearchIndex
from shared.search.opensearch_index import ALIAS, INDEX_V1, OpenSearchIndex
from shared.search.postgres_index import PostgresIndex

pytestmark = pytest.mark.integration

PAYMENTS = "Платежные сервисы для малого бизнеса"
FLOWERS = "Доставка цветов"
ACCOUNTING = "Облачная бухгалтерия"


def _company(name: str, industry: str, description: str, version: int = 1) -> Company:
    now = datetime.now(UTC)
    cid = uuid.uuid4()
    return Company(
        id=cid,
        slug=f"c-{cid.hex[:12]}",
        name=name,
        industry=industry,
        description=description,
        version=version,
        created_at=now,
        updated_at=now,
    )


def _clear_postgres(url: str) -> None:
    with connect(url) as conn:
        conn.execute("TRUNCATE company_search")
        conn.commit()


def _clear_opensearch(url: str) -> None:
    from opensearchpy import OpenSearch

    client = OpenSearch(hosts=[url], timeout=30)
    client.indices.delete(index=INDEX_V1, ignore_unavailable=True)
    assert not client.indices.exists_alias(name=ALIAS)


@pytest.fixture(params=["postgres", "opensearch"])
def index(request: pytest.FixtureRequest) -> Iterator[SearchIndex]:
    """An empty index of the given backend (only that backend's server is started)."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        _clear_postgres(url)
        yield PostgresIndex(url)
    else:
        url = request.getfixturevalue("opensearch_url")
        _clear_opensearch(url)
        yield OpenSearchIndex(url)


@pytest.fixture
def catalog(index: SearchIndex) -> dict[str, Company]:
    companies = {
        "payments": _company(PAYMENTS, "fintech", "Эквайринг, онлайн-кассы и переводы для ИП"),
        "flowers": _company(FLOWERS, "retail", "Букеты и композиции по Москве за два часа"),
        "accounting": _company(ACCOUNTING, "saas", "Учёт, зарплата и отчётность в налоговую"),
    }
    for company in companies.values():
        assert index.upsert(company) is True
    return companies


def test_inflected_query_with_yo_finds_company(index: SearchIndex, catalog: dict[str, Company]) -> None:
    hits = index.search("платёжный сервис")
    assert hits, "nothing found"
    assert hits[0].id == catalog["payments"].id
    assert hits[0].name == PAYMENTS and hits[0].industry == "fintech"
    assert hits[0].score > 0
    found = {h.id for h in hits}
    assert catalog["flowers"].id not in found
    assert catalog["accounting"].id not in found


def test_description_words_are_searched(index: SearchIndex, catalog: dict[str, Company]) -> None:
    hits = index.search("букеты")
    assert [h.id for h in hits][:1] == [catalog["flowers"].id]


@pytest.mark.parametrize(("query", "key"), [("Доставка цвитов", "flowers"), ("Облачная бугалтерия", "accounting")])
def test_typo_in_name_still_finds_company(
    index: SearchIndex, catalog: dict[str, Company], query: str, key: str
) -> None:
    hits = index.search(query)
    assert hits, f"nothing found for {query!r}"
    assert hits[0].id == catalog[key].id
    assert hits[0].score > max((h.score for h in hits[1:]), default=0.0)


def test_unrelated_query_finds_nothing(index: SearchIndex, catalog: dict[str, Company]) -> None:
    assert index.search("космические ракеты") == []


def test_limit_is_respected(index: SearchIndex, catalog: dict[str, Company]) -> None:
    more = [_company(f"Платежные сервисы {n}", "fintech", "Платежи") for n in range(4)]
    for company in more:
        assert index.upsert(company)
    assert len(index.search("платежные сервисы", limit=3)) == 3


def test_stale_version_is_ignored(index: SearchIndex) -> None:
    v2 = _company("Северный ветер", "energy", "Ветряные электростанции", version=2)
    assert index.upsert(v2) is True

    stale = v2.model_copy(update={"version": 1, "name": "Южный пляж", "description": "Пансионаты на юге"})
    assert index.upsert(stale) is False
    replay = v2.model_copy(update={"name": "Повтор того же события"})
    assert index.upsert(replay) is False  # the same version again is stale too

    assert index.search("южный пляж") == []
    hits = index.search("северный ветер")
    assert [(h.id, h.name) for h in hits] == [(v2.id, "Северный ветер")]

    v3 = v2.model_copy(update={"version": 3, "name": "Северный ветер Групп"})
    assert index.upsert(v3) is True
    assert [(h.id, h.name) for h in index.search("северный ветер")] == [(v3.id, "Северный ветер Групп")]


def test_ping(index: SearchIndex) -> None:
    index.ping()  # raises when the backend is unreachable


@pytest.mark.parametrize("backend", ["postgres", "opensearch"])
def test_ping_raises_when_backend_is_down(backend: str, closed_port: int) -> None:
    port = closed_port
    down: Any = (
        PostgresIndex(f"postgresql://postgres:x@127.0.0.1:{port}/algoarts")
        if backend == "postgres"
        else OpenSearchIndex(f"http://127.0.0.1:{port}")
    )
    with pytest.raises(Exception, match=str(port) if backend == "postgres" else "ping"):
        down.ping()
