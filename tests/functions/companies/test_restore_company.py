"""POST /v1/companies/{company_id}/restore (RestoreCompanyFunction): the owner undoes a soft delete and gets the
company back with its new ETag; a company that is not deleted is 409, and so is one whose INN another company
took meanwhile."""

from __future__ import annotations

import uuid
from types import ModuleType

import pytest
from functions.calls import assert_problem, call, cold_start, company, delete, identity, principal, request

from shared.companies.model import Company
from shared.identity.guard import Principal


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "companies", "restore_company", database_url=postgres_url, redis_url=redis_url)


@pytest.fixture
def owner() -> Principal:
    return principal("paid_user")


@pytest.fixture
def deleted(postgres_url: str, redis_url: str, owner: Principal) -> Company:
    """The owner's company with an INN, deleted (version 2)."""
    written = company(postgres_url, redis_url, owner, inn=identity()[0])
    delete(postgres_url, redis_url, owner, str(written.id))
    return written


def at(c: Company | str) -> str:
    return f"/v1/companies/{c.id if isinstance(c, Company) else c}/restore"


def test_the_owner_restores_it_with_its_new_etag(fn: ModuleType, owner: Principal, deleted: Company) -> None:
    answer = call(fn, request("restore_company", owner, path=at(deleted), headers={"If-Match": '"2"'}))
    assert answer.status == 200, answer.body
    assert answer.headers["ETag"] == '"3"'
    assert (answer.body["id"], answer.body["version"], answer.body["name"]) == (str(deleted.id), 3, deleted.name)
    assert_problem(call(fn, request("restore_company", owner, path=at(deleted))), 409, "id")  # not deleted now


def test_an_inn_taken_meanwhile_is_409_naming_inn(
    fn: ModuleType, owner: Principal, deleted: Company, postgres_url: str, redis_url: str
) -> None:
    company(postgres_url, redis_url, principal(), inn=deleted.inn)  # allowed: the holder was deleted
    assert_problem(call(fn, request("restore_company", owner, path=at(deleted))), 409, "inn")


def test_another_users_company_is_403(fn: ModuleType, deleted: Company) -> None:
    assert_problem(call(fn, request("restore_company", principal("paid_user"), path=at(deleted))), 403)


def test_an_unknown_company_is_404(fn: ModuleType, owner: Principal) -> None:
    assert_problem(call(fn, request("restore_company", owner, path=at(str(uuid.uuid4())))), 404)


def test_without_a_caller_is_401(fn: ModuleType, deleted: Company) -> None:
    assert_problem(call(fn, request("restore_company", path=at(deleted))), 401)
