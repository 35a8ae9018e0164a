"""The error contract every HTTP function shares, exercised through real handlers in-process."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import Response

from shared.http import MovedPermanently, api, no_content
from support import LambdaContext, event, load_function

PROBLEM = "application/problem+json"


def call(context: str, function: str, ev: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
    module = load_function(context, function)
    response = module.handler(ev, LambdaContext())
    return response["statusCode"], response["headers"], json.loads(response["body"])


def test_malformed_json_is_400_problem() -> None:
    status, headers, body = call("companies", "create_company", event("http/create_company", body="{name:"))
    assert status == 400
    assert headers["Content-Type"] == PROBLEM
    assert body["errors"][0]["field"] == "body"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"industry": "fintech"}, "name"),
        ({"name": "X", "industry": "fintech"}, "name"),
        ({"name": "ПлатёжПро", "industry": "Fin Tech!"}, "industry"),
        ({"name": "ПлатёжПро", "industry": "fintech", "business_model": "P2P"}, "business_model"),
        ({"name": "ПлатёжПро", "industry": "fintech", "website": "not a url"}, "website"),
        ({"name": "ПлатёжПро", "industry": "fintech", "owner": "me"}, "owner"),
    ],
)
def test_invalid_fields_are_422_naming_the_field(payload: dict[str, Any], field: str) -> None:
    status, headers, body = call("companies", "create_company", event("http/create_company", body=json.dumps(payload)))
    assert status == 422
    assert headers["Content-Type"] == PROBLEM
    assert field in [e["field"] for e in body["errors"]]
    assert field in body["detail"]


def test_query_validation_names_the_parameter() -> None:
    ev = event(
        "http/search_companies",
        queryStringParameters={"q": "x", "page_size": "1000"},
        rawQueryString="q=x&page_size=1000",
    )
    status, _, body = call("search", "search_companies", ev)
    assert status == 422
    assert body["errors"][0]["field"] == "page_size"
    assert body["errors"][0]["in"] == "query"


def test_unknown_route_is_404_problem() -> None:
    ev = event("http/health", rawPath="/v1/nowhere", routeKey="$default")
    ev["requestContext"]["http"]["path"] = "/v1/nowhere"
    status, headers, body = call("platform", "not_found", ev)
    assert status == 404
    assert headers["Content-Type"] == PROBLEM
    assert "/v1/nowhere" in body["detail"]


def test_dependency_down_makes_health_503_naming_it() -> None:
    status, _, body = call("platform", "health", event("http/health"))
    assert status == 503
    states = {d["name"]: d["status"] for d in body["dependencies"]}
    assert states["postgres"] == "down"
    assert states["redis"] == "down"
    assert states["kafka"] == "disabled"


def test_openapi_document_is_served() -> None:
    ev = event("http/health", rawPath="/v1/openapi.json", routeKey="GET /v1/openapi.json")
    ev["requestContext"]["http"]["path"] = "/v1/openapi.json"
    status, _, body = call("platform", "openapi", ev)
    assert status == 200
    assert body["openapi"].startswith("3.1")
    assert "/v1/companies" in body["paths"]


def test_redirects_and_no_content_carry_an_empty_body_not_none() -> None:
    """Former slugs answer 301 past response validation; 204s send "" (the emulator's gateway
    cannot send a None body, and validation would turn "" into "null")."""
    app = api()

    @app.get("/v1/things/<key>")
    def moved(key: str) -> Response[str]:
        raise MovedPermanently(f"/v1/things/{key}-new")

    @app.delete("/v1/things/<key>")
    def gone(key: str) -> Response[str]:
        return no_content()

    request = event("http/get_company", rawPath="/v1/things/a", routeKey="GET /v1/things/{key}")
    request["requestContext"]["http"]["path"] = "/v1/things/a"
    answer = app.resolve(request, LambdaContext())  # type: ignore[arg-type]
    assert (answer["statusCode"], answer["body"], answer["headers"]["Location"]) == (301, "", "/v1/things/a-new")
    request["requestContext"]["http"]["method"] = "DELETE"
    answer = app.resolve(request, LambdaContext())  # type: ignore[arg-type]
    assert (answer["statusCode"], answer["body"]) == (204, "")
