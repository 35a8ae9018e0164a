"""DELETE /v1/companies/{company_id} (DeleteCompanyFunction): the owner soft-deletes their company (204); it then
reads as 404, from Postgres and from the cache alike, until restored. If-Match guards it like any write."""

from __future__ import annotations

import uuid
from types import ModuleType

import pytest
from functions.calls import assert_problem, call, cold_start, company, principal, request, row

from shared.cache import company_cache
from shared.companies import service
from shared.companies.model import Company
from shared.errors import NotFound
from shared.identity.guard import Principal
from shared.settings import Settings


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "companies", "delete_company", database_url=postgres_url, redis_url=redis_url)


@pytest.fixture
def owner() -> Principal:
    return principal("company_admin")


@pytest.fixture
def mine(postgres_url: str, redis_url: str, owner: Principal) -> Company:
    return company(postgres_url, redis_url, owner)


def at(c: Company | str) -> str:
    return f"/v1/companies/{c.id if isinstance(c, Company) else c}"


def test_the_owner_deletes_and_the_company_reads_as_gone(
    fn: ModuleType, owner: Principal, mine: Company, postgres_url: str, redis_url: str
) -> None:
    answer = call(fn, request("delete_company", owner, path=at(mine), headers={"If-Match": '"1"'}))
    assert (answer.status, answer.body) == (204, None)
    assert row(postgres_url, "SELECT deleted_at FROM companies WHERE id = %s", mine.id)["deleted_at"]  # soft
    cache = company_cache(redis_url, 300)
    with pytest.raises(NotFound):
        service.get_company(Settings(database_url=postgres_url, redis_url=redis_url), str(mine.id), cache)
    assert_problem(call(fn, request("delete_company", owner, path=at(mine))), 404)  # already gone


def test_a_stale_if_match_is_409(fn: ModuleType, owner: Principal, mine: Company) -> None:
    assert_problem(
        call(fn, request("delete_company", owner, path=at(mine), headers={"If-Match": '"7"'})), 409, "If-Match"
    )


def test_another_users_company_is_403(fn: ModuleType, mine: Company) -> None:
    assert_problem(call(fn, request("delete_company", principal("paid_user"), path=at(mine))), 403)


def test_an_unknown_company_is_404(fn: ModuleType, owner: Principal) -> None:
    assert_problem(call(fn, request("delete_company", owner, path=at(str(uuid.uuid4())))), 404)


def test_without_a_caller_is_401(fn: ModuleType, mine: Company) -> None:
    assert_problem(call(fn, request("delete_company", path=at(mine))), 401)
