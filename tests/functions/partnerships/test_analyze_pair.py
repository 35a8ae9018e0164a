"""POST /v1/partnerships/analyze (AnalyzePairFunction): how well two companies fit, criterion by criterion,
with the explanation in Russian; any signed-in reader may ask, and nothing is written."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.calls import assert_problem, call, principal, request
from functions.partnership_calls import catalog_companies, cold_start, count


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, postgres_url, redis_url, "partnerships", "analyze_pair")


@pytest.fixture(scope="module")
def pair(postgres_url: str) -> Iterator[list[dict[str, Any]]]:
    with catalog_companies(postgres_url, ("ecommerce", "store_builder"), ("fintech", "payments")) as companies:
        yield companies


def test_a_free_user_gets_the_score_its_breakdown_and_the_explanation(
    fn: ModuleType, pair: list[dict[str, Any]], postgres_url: str
) -> None:
    shop, pay = pair
    body = {"company_a_id": shop["id"], "company_b_id": pay["id"]}
    answer = call(fn, request("analyze_pair", principal("free_user"), body=body))
    assert answer.status == 200, answer.body
    analysis = answer.body
    assert (analysis["company_a_id"], analysis["company_b_id"]) == (shop["id"], pay["id"])
    assert 0.5 < analysis["score"] <= 1 and analysis["competitor"] is False
    assert {c["name"] for c in analysis["criteria"]} == {"complementarity", "audience", "technology", "no_competition"}
    assert analysis["ai_explanation"] and shop["name"] in analysis["ai_explanation"]
    assert analysis["analysis_method"] in {"ai", "offline"} and analysis["analyzed_by_agent"]
    written = "SELECT count(*) FROM partnerships WHERE %s IN (company_a_id, company_b_id)"
    assert count(postgres_url, written, shop["id"]) == 0


def test_a_company_with_itself_is_422_naming_company_b(fn: ModuleType, pair: list[dict[str, Any]]) -> None:
    shop = pair[0]
    answer = call(
        fn, request("analyze_pair", principal(), body={"company_a_id": shop["id"], "company_b_id": shop["id"]})
    )
    assert_problem(answer, 422, "company_b_id")


def test_an_unknown_company_is_404(fn: ModuleType, pair: list[dict[str, Any]]) -> None:
    body = {"company_a_id": pair[0]["id"], "company_b_id": "00000000-0000-4000-8000-000000000000"}
    assert_problem(call(fn, request("analyze_pair", principal(), body=body)), 404, "company_id")


def test_ids_that_are_not_uuids_are_422_naming_each(fn: ModuleType) -> None:
    answer = call(fn, request("analyze_pair", principal(), body={"company_a_id": "platezhpro"}))
    assert_problem(answer, 422, "company_a_id", "company_b_id")


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("analyze_pair")), 401)
