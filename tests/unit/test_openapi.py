"""The OpenAPI document is generated from the functions' models and agrees with template.yaml."""

from __future__ import annotations

import json
import re

from localcloud import openapi
from localcloud import template as tpl
from localcloud.paths import TEMPLATE


def _doc_path(sam_path: str) -> str:
    return sam_path


def test_committed_document_is_up_to_date() -> None:
    committed = openapi.DOCUMENT.read_text("utf-8")
    assert committed == openapi.render(), "run `make openapi` and commit functions/platform/openapi/openapi.json"


def test_template_routes_and_document_paths_agree() -> None:
    document = json.loads(openapi.DOCUMENT.read_text("utf-8"))
    in_document = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    in_template = {(r.method, r.path) for r in tpl.http_routes(tpl.load(TEMPLATE)) if r.path != "$default"}
    assert in_template == in_document


def test_errors_are_documented_as_problem_json() -> None:
    document = openapi.build_document()
    create = document["paths"]["/v1/companies"]["post"]
    assert set(create["responses"]) >= {"201", "400", "422"} or set(create["responses"]) >= {"200", "400", "422"}
    assert "application/problem+json" in create["responses"]["422"]["content"]
    assert "Problem" in document["components"]["schemas"]
    assert not re.search("HTTPValidationError", json.dumps(document))
