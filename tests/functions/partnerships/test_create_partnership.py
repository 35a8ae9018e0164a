"""POST /v1/partnerships (CreatePartnershipFunction): a suggested partnership of the caller's company A with
company B. 201 with Location for a new one; 200 with the same one for a pair that has one (in either order)."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.calls import assert_problem, call, principal, request
from functions.partnership_calls import catalog_companies, cold_start, count


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, postgres_url, redis_url, "partnerships", "create_partnership")


@pytest.fixture
def pair(postgres_url: str) -> Iterator[list[dict[str, Any]]]:
    with catalog_companies(postgres_url, ("crm", "helpdesk"), ("communications", "chatbots")) as companies:
        yield companies


def test_a_new_pair_is_201_and_the_same_pair_again_200(
    fn: ModuleType, pair: list[dict[str, Any]], postgres_url: str
) -> None:
    crm, bots = pair
    member = principal(company_id=crm["id"])
    answer = call(
        fn, request("create_partnership", member, body={"company_a_id": crm["id"], "company_b_id": bots["id"]})
    )
    assert answer.status == 201, answer.body
    created = answer.body
    assert answer.headers["Location"] == f"/v1/partnerships/{created['id']}"
    assert (created["company_a_id"], created["company_b_id"]) == (crm["id"], bots["id"])
    assert created["status"] == "suggested" and created["version"] == 1
    assert created["allowed_moves"] == ["contacted", "rejected", "paused"]
    assert 0 < created["compatibility_score"] <= 1 and created["match_reasons"] and created["ai_explanation"]

    # B's owner proposes the same pair the other way round: the existing partnership, nothing written.
    other_side = principal(user_id=bots["owner_id"])
    again = call(
        fn, request("create_partnership", other_side, body={"company_a_id": bots["id"], "company_b_id": crm["id"]})
    )
    assert again.status == 200, again.body
    assert again.body["id"] == created["id"] and again.headers["Location"] == answer.headers["Location"]
    events = "SELECT count(*) FROM partnership_events WHERE partnership_id = %s"
    assert count(postgres_url, events, created["id"]) == 1


def test_only_company_a_side_may_propose(fn: ModuleType, pair: list[dict[str, Any]], postgres_url: str) -> None:
    crm, bots = pair
    body = {"company_a_id": crm["id"], "company_b_id": bots["id"]}
    assert_problem(
        call(fn, request("create_partnership", principal(company_id=bots["id"]), body=body)), 403, "company_a_id"
    )
    free = principal("free_user", company_id=crm["id"])
    assert_problem(call(fn, request("create_partnership", free, body=body)), 403)
    assert count(postgres_url, "SELECT count(*) FROM partnerships WHERE company_a_id = %s", crm["id"]) == 0


def test_an_unknown_partner_is_404(fn: ModuleType, pair: list[dict[str, Any]]) -> None:
    crm = pair[0]
    body = {"company_a_id": crm["id"], "company_b_id": "00000000-0000-4000-8000-000000000000"}
    assert_problem(call(fn, request("create_partnership", principal(company_id=crm["id"]), body=body)), 404)


def test_a_missing_partner_is_422_naming_it(fn: ModuleType, pair: list[dict[str, Any]]) -> None:
    crm = pair[0]
    answer = call(fn, request("create_partnership", principal(company_id=crm["id"]), body={"company_a_id": crm["id"]}))
    assert_problem(answer, 422, "company_b_id")


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("create_partnership")), 401)
