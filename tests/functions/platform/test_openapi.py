"""GET /v1/openapi.json, /v1/asyncapi.json and /v1/docs (OpenApiFunction, public): the API's OpenAPI 3.1 document
and its event twin (AsyncAPI 3.0) as shipped beside the handler, and a page that renders the first."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest
from functions.calls import call, cold_start, request

from support import ROOT, event


@pytest.fixture
def fn(monkeypatch: pytest.MonkeyPatch, postgres_url: str, redis_url: str) -> ModuleType:
    return cold_start(monkeypatch, "platform", "openapi", database_url=postgres_url, redis_url=redis_url)


def test_the_document_is_the_one_shipped_beside_the_handler(fn: ModuleType) -> None:
    answer = call(fn, request("openapi"))
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    shipped = json.loads((ROOT / "functions/platform/openapi/openapi.json").read_text("utf-8"))
    assert answer.body == shipped
    assert answer.body["openapi"].startswith("3.1")
    assert {"/v1/users/me", "/v1/companies/{company_id}", "/v1/search"} <= set(answer.body["paths"])


def route(path: str) -> dict[str, Any]:
    """The sample request, sent to another of the function's routes."""
    ev = event("http/openapi", routeKey=f"GET {path}", rawPath=path)
    ev["requestContext"]["http"]["path"] = path
    ev["requestContext"]["routeKey"] = f"GET {path}"
    return ev


def test_the_event_document_lists_the_topics(fn: ModuleType) -> None:
    answer = call(fn, route("/v1/asyncapi.json"))
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.body["asyncapi"].startswith("3.")
    assert "company.events" in {c["address"] for c in answer.body["channels"].values()}


def test_the_docs_page_loads_the_documents(fn: ModuleType) -> None:
    answer = call(fn, route("/v1/docs"))
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert 'url: "openapi.json"' in answer.body and 'href="asyncapi.json"' in answer.body
