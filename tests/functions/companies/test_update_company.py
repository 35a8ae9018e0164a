"""PATCH /v1/companies/{company_id} (UpdateCompanyFunction): the owner changes some fields; the answer carries the
new ETag, and an If-Match naming a version read before someone else's change is 409. Another user's company is
403, an unknown one 404."""

from __future__ import annotations

import uuid
from types import ModuleType

import pytest
from functions.calls import assert_problem, call, cold_start, company, principal, request

from shared.cache import company_cache
from shared.companies.model import Company
from shared.identity.guard import Principal


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "companies", "update_company", database_url=postgres_url, redis_url=redis_url)


@pytest.fixture
def owner() -> Principal:
    return principal("paid_user")


@pytest.fixture
def mine(postgres_url: str, redis_url: str, owner: Principal) -> Company:
    return company(postgres_url, redis_url, owner)


def at(c: Company | str) -> str:
    return f"/v1/companies/{c.id if isinstance(c, Company) else c}"


def test_the_owner_changes_fields_and_gets_the_new_etag(
    fn: ModuleType, owner: Principal, mine: Company, redis_url: str
) -> None:
    answer = call(fn, request("update_company", owner, path=at(mine), headers={"If-Match": '"1"'}))
    assert answer.status == 200, answer.body
    assert answer.headers["ETag"] == '"2"'
    changed = answer.body
    assert (changed["employees_count"], changed["employees_range"], changed["version"]) == (120, "51-200", 2)
    cached = company_cache(redis_url, 300).get(str(mine.id))
    assert cached is not None and cached.version == 2  # written through


def test_a_stale_if_match_is_409(fn: ModuleType, owner: Principal, mine: Company) -> None:
    assert call(fn, request("update_company", owner, path=at(mine), headers={"If-Match": '"1"'})).status == 200
    answer = call(
        fn, request("update_company", owner, path=at(mine), body={"founded_year": 2019}, headers={"If-Match": '"1"'})
    )
    assert_problem(answer, 409, "If-Match")
    assert answer.body["current_version"] == 2


def test_a_malformed_if_match_is_400_naming_it(fn: ModuleType, owner: Principal, mine: Company) -> None:
    answer = call(fn, request("update_company", owner, path=at(mine), headers={"If-Match": "latest"}))
    assert_problem(answer, 400, "If-Match")


def test_an_invalid_field_is_422_naming_it(fn: ModuleType, owner: Principal, mine: Company) -> None:
    answer = call(fn, request("update_company", owner, path=at(mine), body={"employees_count": 0}))
    assert_problem(answer, 422, "employees_count")


def test_another_users_company_is_403_and_a_free_user_403(fn: ModuleType, mine: Company) -> None:
    assert_problem(call(fn, request("update_company", principal("paid_user"), path=at(mine))), 403)
    assert_problem(call(fn, request("update_company", principal("free_user"), path=at(mine))), 403)


def test_an_unknown_company_is_404(fn: ModuleType, owner: Principal) -> None:
    assert_problem(call(fn, request("update_company", owner, path=at(str(uuid.uuid4())))), 404)


def test_without_a_caller_is_401(fn: ModuleType, mine: Company) -> None:
    assert_problem(call(fn, request("update_company", path=at(mine))), 401)
