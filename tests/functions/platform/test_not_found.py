"""The gateway's `$default` route (NotFoundFunction, public): any path or method no other function serves is a
404 problem+json naming the path, in the caller's language."""

from __future__ import annotations

from types import ModuleType

import pytest
from functions.calls import assert_problem, call, cold_start, request


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "platform", "not_found", database_url=postgres_url, redis_url=redis_url)


def test_an_unknown_path_is_404_naming_it_in_russian_by_default(fn: ModuleType) -> None:
    answer = call(fn, request("not_found"))
    assert_problem(answer, 404)
    assert answer.body["detail"] == "Нет такого адреса: /v1/nowhere"
    assert answer.headers["Content-Language"] == "ru"


def test_an_unknown_method_in_english_when_preferred(fn: ModuleType) -> None:
    ev = request("not_found", path="/v1/companies", headers={"Accept-Language": "en-US,en;q=0.9"})
    ev["requestContext"]["http"]["method"] = "PUT"
    answer = call(fn, ev)
    assert_problem(answer, 404)
    assert answer.body["detail"] == "no route for /v1/companies"
    assert answer.headers["Content-Language"] == "en"
