"""GET /v1/discoveries/{id} (GetDiscoveryFunction): where a run stands (step, candidates, the draft and its
review), to the company's owner and members and platform admins; anyone else gets 403."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.calls import assert_problem, call, principal, request
from functions.partnership_calls import awaiting_review, catalog_companies, cold_start


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, postgres_url, redis_url, "discovery", "get_discovery")


@pytest.fixture(scope="module")
def run(postgres_url: str, redis_url: str) -> Iterator[dict[str, Any]]:
    with catalog_companies(postgres_url, ("fintech", "payments"), ("ecommerce", "store_builder")) as (own, shop):
        discovery_id = awaiting_review(postgres_url, redis_url, own["id"], shop["id"], "token-get")
        yield {"own": own, "shop": shop, "id": discovery_id, "path": f"/v1/discoveries/{discovery_id}"}


def test_the_company_sees_the_run_awaiting_its_review(fn: ModuleType, run: dict[str, Any]) -> None:
    for reader in (
        principal("free_user", company_id=run["own"]["id"]),
        principal(user_id=run["own"]["owner_id"]),
        principal("platform_admin"),
    ):
        answer = call(fn, request("get_discovery", reader, path=run["path"]))
        assert answer.status == 200, answer.body
        view = answer.body
        assert (view["id"], view["company_id"], view["status"]) == (run["id"], run["own"]["id"], "awaiting_review")
        assert view["current_step"] == "HumanReview" and view["execution_arn"].endswith(run["id"])
        assert view["partner_company_id"] == run["shop"]["id"]
        assert view["draft"]["subject"] and view["draft"]["body"]
        assert view["review"]["state"] == "pending" and view["review"]["deadline"] is not None
        assert "task_token" not in view and view["failures"] == []


def test_another_company_is_403(fn: ModuleType, run: dict[str, Any]) -> None:
    partner = principal("company_admin", company_id=run["shop"]["id"])
    assert_problem(call(fn, request("get_discovery", partner, path=run["path"])), 403)


@pytest.mark.parametrize("key", ["00000000-0000-4000-8000-000000000000", "not-a-uuid"])
def test_an_unknown_run_is_404(fn: ModuleType, key: str) -> None:
    assert_problem(call(fn, request("get_discovery", principal(), path=f"/v1/discoveries/{key}")), 404)


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("get_discovery")), 401)
