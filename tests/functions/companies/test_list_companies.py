"""GET /v1/companies (ListCompaniesFunction): the catalog filtered, sorted and paged by cursor, each page cached in
Redis until any company changes (a new company shows up on the next read)."""

from __future__ import annotations

import uuid
from types import ModuleType

import pytest
from functions.calls import assert_problem, call, cold_start, company, principal, request


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "companies", "list_companies", database_url=postgres_url, redis_url=redis_url)


@pytest.fixture
def city() -> str:
    """A headquarters city of this test's own: its filter sees only this test's companies."""
    return f"Город {uuid.uuid4().hex[:8]}"


def test_filtered_sorted_and_paged(fn: ModuleType, postgres_url: str, redis_url: str, city: str) -> None:
    owner = principal()
    for name, employees in (("Альфа", 10), ("Бета", 200), ("Гамма", 50)):
        company(
            postgres_url, redis_url, owner, name=f"{name} {city}", headquarters_city=city, employees_count=employees
        )
    company(postgres_url, redis_url, owner, industry="edtech", headquarters_city=city)  # filtered out by industry
    query = {"industry": "fintech", "city": city, "sort": "-employees_count", "limit": "2"}
    first = call(fn, request("list_companies", principal("free_user"), query=query))
    assert first.status == 200, first.body
    assert [c["employees_count"] for c in first.body["items"]] == [200, 50]
    assert first.body["limit"] == 2 and first.body["next_cursor"]
    rest = call(
        fn, request("list_companies", principal("free_user"), query={**query, "cursor": first.body["next_cursor"]})
    )
    assert [c["employees_count"] for c in rest.body["items"]] == [10]
    assert rest.body["next_cursor"] is None


def test_a_new_company_shows_up_past_the_cached_page(
    fn: ModuleType, postgres_url: str, redis_url: str, city: str
) -> None:
    owner = principal()
    first = company(postgres_url, redis_url, owner, headquarters_city=city)
    query = {"city": city}
    assert [c["id"] for c in call(fn, request("list_companies", principal(), query=query)).body["items"]] == [
        str(first.id)
    ]
    second = company(postgres_url, redis_url, owner, headquarters_city=city)  # invalidates every cached page
    listed = call(fn, request("list_companies", principal(), query=query)).body["items"]
    assert [c["id"] for c in listed] == [str(second.id), str(first.id)]  # newest first by default


def test_bad_parameters_are_422_naming_each(fn: ModuleType) -> None:
    answer = call(fn, request("list_companies", principal(), query={"limit": "1000", "sort": "popularity"}))
    assert_problem(answer, 422, "limit", "sort")


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("list_companies")), 401)
