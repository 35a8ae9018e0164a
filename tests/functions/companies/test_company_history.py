"""GET /v1/companies/{company_id}/history (CompanyHistoryFunction): the company's events from the event store,
oldest first, each with what changed; `after` and `limit` page through them."""

from __future__ import annotations

import uuid
from types import ModuleType

import pytest
from functions.calls import assert_problem, call, cold_start, company, principal, request

from shared.cache import company_cache
from shared.commands import Context
from shared.companies import service
from shared.companies.model import Company, CompanyPatch
from shared.settings import Settings


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "companies", "company_history", database_url=postgres_url, redis_url=redis_url)


@pytest.fixture
def edited(postgres_url: str, redis_url: str) -> Company:
    """A company created, then given an employee count (version 2)."""
    owner = principal()
    written = company(postgres_url, redis_url, owner)
    settings = Settings(database_url=postgres_url, redis_url=redis_url)
    return service.update_company(
        settings, str(written.id), CompanyPatch(employees_count=42), Context(principal=owner),
        cache=company_cache(redis_url, 300),
    )  # fmt: skip


def at(c: Company | str) -> str:
    return f"/v1/companies/{c.id if isinstance(c, Company) else c}/history"


def test_every_event_oldest_first_with_what_changed(fn: ModuleType, edited: Company) -> None:
    answer = call(fn, request("company_history", principal("free_user"), path=at(edited), query={}))
    assert answer.status == 200, answer.body
    history = answer.body
    assert (history["company_id"], history["version"]) == (str(edited.id), 2)
    assert [(e["version"], e["event_type"]) for e in history["events"]] == [(1, "company.created"),
                                                                           (2, "company.updated")]  # fmt: skip
    assert history["events"][1]["payload"]["changes"]["employees_count"] == 42
    assert history["events"][0]["actor"] == str(edited.owner_id)


def test_after_and_limit_page_through(fn: ModuleType, edited: Company) -> None:
    after = call(fn, request("company_history", principal(), path=at(edited), query={"after": "1"})).body
    assert [e["version"] for e in after["events"]] == [2]
    first = call(fn, request("company_history", principal(), path=at(edited), query={"limit": "1"})).body
    assert [e["version"] for e in first["events"]] == [1]


def test_an_unknown_company_is_404(fn: ModuleType) -> None:
    assert_problem(call(fn, request("company_history", principal(), path=at(str(uuid.uuid4())))), 404, "id")


def test_bad_paging_is_422_naming_each(fn: ModuleType, edited: Company) -> None:
    answer = call(fn, request("company_history", principal(), path=at(edited), query={"after": "-1", "limit": "0"}))
    assert_problem(answer, 422, "after", "limit")


def test_without_a_caller_is_401(fn: ModuleType, edited: Company) -> None:
    assert_problem(call(fn, request("company_history", path=at(edited))), 401)
