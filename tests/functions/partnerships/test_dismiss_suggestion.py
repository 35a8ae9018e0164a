"""POST /v1/companies/{id}/partners/{partner_id}/dismiss (DismissSuggestionFunction): the company's BD manager
dismisses a suggested partner; it is no longer suggested to the company, and the pair's kind counts against
similar pairs. Idempotent (the first dismissal stands); the company's owner, members and platform admins only."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.calls import assert_problem, call, principal, request
from functions.partnership_calls import catalog_companies, cold_start, count

from shared.partnerships.feedback import OUTCOME_REASON_DOWN


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, postgres_url, redis_url, "partnerships", "dismiss_suggestion")


@pytest.fixture
def shop(postgres_url: str) -> Iterator[list[dict[str, Any]]]:
    """An online-store builder, two payment providers and a delivery aggregator (its partners)."""
    kinds = [
        ("ecommerce", "store_builder"),
        ("fintech", "payments"),
        ("fintech", "payments"),
        ("logistics", "delivery_aggregator"),
    ]
    with catalog_companies(postgres_url, *kinds) as companies:
        yield companies


def _path(company: dict[str, Any], partner: dict[str, Any]) -> str:
    return f"/v1/companies/{company['id']}/partners/{partner['id']}/dismiss"


def _suggested(postgres_url: str, redis_url: str, company: dict[str, Any]) -> dict[str, dict[str, Any]]:
    from shared.partnerships import service
    from shared.settings import Settings

    settings = Settings(database_url=postgres_url, redis_url=redis_url)
    page = service.partner_suggestions(settings, company["id"], limit=50)
    return {str(s.company.id): s.model_dump(mode="json") for s in page.items}


def test_the_owner_dismisses_it_and_it_is_not_suggested_again(
    fn: ModuleType, shop: list[dict[str, Any]], postgres_url: str, redis_url: str
) -> None:
    me, payments, other_payments, _ = shop
    before = _suggested(postgres_url, redis_url, me)
    assert payments["id"] in before and other_payments["id"] in before
    owner = principal(user_id=me["owner_id"])
    answer = call(fn, request("dismiss_suggestion", owner, path=_path(me, payments), body={"reason": "Не наш рынок"}))
    assert answer.status == 200, answer.body
    dismissal = answer.body
    assert (dismissal["company_id"], dismissal["partner_id"]) == (me["id"], payments["id"])
    assert dismissal["dismissed_by"] == me["owner_id"] and dismissal["reason"] == "Не наш рынок"
    assert dismissal["dismissed_at"]

    after = _suggested(postgres_url, redis_url, me)
    assert payments["id"] not in after
    # The dismissal is evidence against such pairs: the other payment provider is marked down, and says so.
    similar = after[other_payments["id"]]
    assert similar["score"] < before[other_payments["id"]]["score"]
    assert OUTCOME_REASON_DOWN in similar["match_reasons"]
    assert OUTCOME_REASON_DOWN not in before[other_payments["id"]]["match_reasons"]

    again = call(fn, request("dismiss_suggestion", owner, path=_path(me, payments), body={"reason": "Другая"}))
    assert again.status == 200 and again.body == dismissal  # the first dismissal stands
    rows = "SELECT count(*) FROM suggestion_dismissals WHERE company_id = %s"
    assert count(postgres_url, rows, me["id"]) == 1
    audited = "SELECT count(*) FROM audit_log WHERE action = 'partnership.suggestion_dismissed' AND resource_id = %s"
    assert count(postgres_url, audited, me["id"]) == 1


def test_a_member_and_a_platform_admin_may_without_a_body(fn: ModuleType, shop: list[dict[str, Any]]) -> None:
    me, payments, other_payments, _ = shop
    member = principal(company_id=me["id"])
    answer = call(fn, request("dismiss_suggestion", member, path=_path(me, payments), body=None))
    assert answer.status == 200, answer.body
    assert answer.body["reason"] is None
    admin = principal("platform_admin")
    by_slug = f"/v1/companies/{me['slug']}/partners/{other_payments['slug']}/dismiss"
    answer = call(fn, request("dismiss_suggestion", admin, path=by_slug, body={}))
    assert answer.status == 200, answer.body
    assert answer.body["partner_id"] == other_payments["id"] and answer.body["dismissed_by"] == admin.user_id


def test_a_stranger_and_a_free_user_are_403(fn: ModuleType, shop: list[dict[str, Any]], postgres_url: str) -> None:
    me, payments, *_ = shop
    assert_problem(call(fn, request("dismiss_suggestion", principal(), path=_path(me, payments))), 403)
    free = principal("free_user", company_id=me["id"])
    assert_problem(call(fn, request("dismiss_suggestion", free, path=_path(me, payments))), 403)
    assert count(postgres_url, "SELECT count(*) FROM suggestion_dismissals WHERE company_id = %s", me["id"]) == 0


def test_unknown_companies_are_404_and_the_company_itself_422(fn: ModuleType, shop: list[dict[str, Any]]) -> None:
    me, *_ = shop
    admin = principal("platform_admin")
    unknown = {"id": "00000000-0000-4000-8000-000000000000"}
    assert_problem(call(fn, request("dismiss_suggestion", admin, path=_path(me, unknown))), 404, "partner_id")
    assert_problem(call(fn, request("dismiss_suggestion", admin, path=_path(unknown, me))), 404, "company_id")
    assert_problem(call(fn, request("dismiss_suggestion", admin, path=_path(me, me))), 422, "partner_id")


@pytest.mark.parametrize("body", [{"reason": ""}, {"reason": "x" * 501}, {"why": "x"}])
def test_a_bad_body_is_422_naming_the_field(fn: ModuleType, shop: list[dict[str, Any]], body: dict[str, str]) -> None:
    me, payments, *_ = shop
    answer = call(
        fn, request("dismiss_suggestion", principal(company_id=me["id"]), path=_path(me, payments), body=body)
    )
    assert_problem(answer, 422, "why" if "why" in body else "reason")


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("dismiss_suggestion")), 401)
