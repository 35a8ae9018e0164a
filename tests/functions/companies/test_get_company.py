"""GET /v1/companies/{company_id} (GetCompanyFunction): a company by id or slug, through the Redis cache, with its
ETag; each read counts a view. A former slug answers 301 to the current one; unknown and deleted companies 404."""

from __future__ import annotations

from types import ModuleType

import pytest
from functions.calls import assert_problem, call, cold_start, company, delete, principal, request

from shared.cache import company_cache
from shared.commands import Context
from shared.companies import service
from shared.companies.model import CompanyPatch
from shared.settings import Settings


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "companies", "get_company", database_url=postgres_url, redis_url=redis_url)


def test_by_id_with_its_etag_each_read_counting_a_view(fn: ModuleType, postgres_url: str, redis_url: str) -> None:
    written = company(postgres_url, redis_url, principal(), headquarters_city="Казань")
    first = call(fn, request("get_company", principal("free_user"), path=f"/v1/companies/{written.id}"))
    assert first.status == 200, first.body
    assert first.headers["ETag"] == '"1"'
    assert (first.body["id"], first.body["name"], first.body["headquarters_city"]) == (str(written.id), written.name,
                                                                                       "Казань")  # fmt: skip
    second = call(fn, request("get_company", principal("free_user"), path=f"/v1/companies/{written.id}"))
    assert second.body["view_count"] == first.body["view_count"] + 1
    assert company_cache(redis_url, 300).get(str(written.id)) is not None  # read through the cache


def test_by_slug(fn: ModuleType, postgres_url: str, redis_url: str) -> None:
    written = company(postgres_url, redis_url, principal())
    answer = call(fn, request("get_company", principal("free_user"), path=f"/v1/companies/{written.slug}"))
    assert answer.status == 200, answer.body
    assert answer.body["id"] == str(written.id)


def test_a_former_slug_is_301_to_the_current_one(fn: ModuleType, postgres_url: str, redis_url: str) -> None:
    owner = principal()
    written = company(postgres_url, redis_url, owner)
    settings = Settings(database_url=postgres_url, redis_url=redis_url)
    patch = CompanyPatch(name=f"Новое имя {written.slug[-8:]}")
    renamed = service.update_company(  # as UpdateCompanyFunction does it: the cache written through
        settings, str(written.id), patch, Context(principal=owner), cache=company_cache(redis_url, 300)
    )
    answer = call(fn, request("get_company", principal("free_user"), path=f"/v1/companies/{written.slug}"))
    assert (answer.status, answer.headers["Location"], answer.body) == (301, renamed.slug, None)


def test_an_unknown_or_deleted_company_is_404(fn: ModuleType, postgres_url: str, redis_url: str) -> None:
    owner = principal()
    gone = company(postgres_url, redis_url, owner)
    call(fn, request("get_company", principal("free_user"), path=f"/v1/companies/{gone.id}"))  # now cached
    delete(postgres_url, redis_url, owner, str(gone.id))
    assert_problem(call(fn, request("get_company", principal("free_user"), path=f"/v1/companies/{gone.id}")), 404)
    assert_problem(call(fn, request("get_company", principal("free_user"))), 404)  # the sample's slug: no such company


def test_without_a_caller_is_401(fn: ModuleType) -> None:
    assert_problem(call(fn, request("get_company")), 401)
