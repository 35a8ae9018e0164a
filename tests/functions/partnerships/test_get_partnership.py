"""GET /v1/partnerships/{id} (GetPartnershipFunction): one partnership, to either of its companies (their
owners and members) and platform admins; anyone else gets 403."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from functions.calls import assert_problem, call, principal, request
from functions.partnership_calls import catalog_companies, cold_start, partnership


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, postgres_url, redis_url, "partnerships", "get_partnership")


@pytest.fixture(scope="module")
def known(postgres_url: str, redis_url: str) -> Iterator[dict[str, Any]]:
    with catalog_companies(postgres_url, ("martech", "email_marketing"), ("crm", "sales_crm")) as (a, b):
        yield {"a": a, "b": b, "id": partnership(postgres_url, redis_url, a, b)}


def test_both_sides_and_an_admin_read_it(fn: ModuleType, known: dict[str, Any]) -> None:
    path = f"/v1/partnerships/{known['id']}"
    readers = [
        principal("free_user", company_id=known["a"]["id"]),
        principal(user_id=known["b"]["owner_id"]),
        principal("platform_admin"),
    ]
    for reader in readers:
        answer = call(fn, request("get_partnership", reader, path=path))
        assert answer.status == 200, answer.body
        assert answer.body["id"] == known["id"] and answer.body["status"] == "suggested"
        assert (answer.body["company_a_id"], answer.body["company_b_id"]) == (known["a"]["id"], known["b"]["id"])
        assert answer.body["allowed_moves"] == ["contacted", "rejected", "paused"] and answer.body["criteria"]


def test_a_stranger_is_403(fn: ModuleType, known: dict[str, Any]) -> None:
    answer = call(fn, request("get_partnership", principal(), path=f"/v1/partnerships/{known['id']}"))
    assert_problem(answer, 403)


@pytest.mark.parametrize("key", ["00000000-0000-4000-8000-000000000000", "not-a-uuid"])
def test_an_unknown_one_is_404(fn: ModuleType, key: str) -> None:
    assert_problem(call(fn, request("get_partnership", principal(), path=f"/v1/partnerships/{key}")), 404, "id")


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("get_partnership")), 401)
