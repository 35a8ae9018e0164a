"""GET /v1/companies/{id}/partners (SuggestPartnersFunction): ranked partners of a company, by id or slug,
each with its per-criterion breakdown; never the company itself nor a rival."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.calls import assert_problem, call, principal, request
from functions.partnership_calls import catalog_companies, cold_start


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, postgres_url, redis_url, "partnerships", "suggest_partners")


@pytest.fixture(scope="module")
def shop(postgres_url: str) -> Iterator[list[dict[str, Any]]]:
    """An online-store builder, a rival store builder and the kinds of company that complete it."""
    kinds = [
        ("ecommerce", "store_builder"),
        ("ecommerce", "store_builder"),
        ("fintech", "payments"),
        ("logistics", "delivery_aggregator"),
        ("crm", "ecommerce_crm"),
        ("martech", "loyalty"),
    ]
    with catalog_companies(postgres_url, *kinds) as companies:
        yield companies


def test_partners_are_ranked_with_their_breakdown_and_no_rival(fn: ModuleType, shop: list[dict[str, Any]]) -> None:
    me, rival, *partners = shop
    answer = call(
        fn,
        request(
            "suggest_partners", principal("free_user"), path=f"/v1/companies/{me['id']}/partners", query={"limit": "50"}
        ),
    )
    assert answer.status == 200, answer.body
    assert answer.body["company_id"] == me["id"] and answer.body["candidates_scored"] >= len(partners)
    items = answer.body["items"]
    ids = [s["company"]["id"] for s in items]
    assert me["id"] not in ids and rival["id"] not in ids
    # Other tests' companies may share the database: whoever is suggested completes a store, none competes.
    assert not any(
        s["company"]["industry"] == "ecommerce" and "store_builder" in s["company"]["sub_industries"] for s in items
    )
    assert any(set(s["company"]["sub_industries"]) & {"payments", "delivery_aggregator", "loyalty"} for s in items)
    scores = [s["score"] for s in items]
    assert scores == sorted(scores, reverse=True)
    first = items[0]
    assert {c["name"] for c in first["criteria"]} == {"complementarity", "audience", "technology", "no_competition"}
    assert first["match_reasons"] and {"slug", "name", "industry"} <= set(first["company"])


def test_by_slug_and_limited(fn: ModuleType, shop: list[dict[str, Any]]) -> None:
    me = shop[0]
    answer = call(
        fn, request("suggest_partners", principal(), path=f"/v1/companies/{me['slug']}/partners", query={"limit": "2"})
    )
    assert answer.status == 200, answer.body
    assert answer.body["company_id"] == me["id"] and len(answer.body["items"]) == 2


def test_unknown_company_is_404(fn: ModuleType) -> None:
    answer = call(fn, request("suggest_partners", principal(), path="/v1/companies/no-such-company/partners"))
    assert_problem(answer, 404, "company_id")


@pytest.mark.parametrize("limit", ["0", "51", "many"])
def test_a_limit_out_of_range_is_422_naming_it(fn: ModuleType, shop: list[dict[str, Any]], limit: str) -> None:
    answer = call(
        fn,
        request(
            "suggest_partners", principal(), path=f"/v1/companies/{shop[0]['id']}/partners", query={"limit": limit}
        ),
    )
    assert_problem(answer, 422, "limit")


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("suggest_partners")), 401)
