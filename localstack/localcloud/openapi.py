"""The whole API's OpenAPI 3.1 document, merged from every HTTP function's own resolver.

Each function's routes and pydantic models produce its part of the schema (powertools); the
merged document ships with the openapi function and must agree with template.yaml's routes.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

from localcloud import template as tpl
from localcloud.paths import ROOT, TEMPLATE

DOCUMENT = ROOT / "functions" / "platform" / "openapi" / "openapi.json"
# Placeholders so handler modules can be imported to read their routes: no connection is made.
_IMPORT_ENV = {"ALGOARTS_DATABASE_URL": "postgresql://docs@127.0.0.1/docs", "ALGOARTS_REDIS_URL": "redis://127.0.0.1"}


def _load_app(code_dir: Path) -> Any:
    for key, value in _IMPORT_ENV.items():
        os.environ.setdefault(key, value)
    name = "fn_" + "_".join(code_dir.relative_to(ROOT).parts[1:])
    spec = importlib.util.spec_from_file_location(name, code_dir / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, "app", None)


def build_document() -> dict[str, Any]:
    template = tpl.load(TEMPLATE)
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "ALGORITHMIC ARTS API",
            "version": "0.1.0",
            "description": "Partner discovery and partnership management for SaaS business development. "
            "Errors are application/problem+json (RFC 9457) naming the field at fault.",
        },
        "paths": {},
        "components": {"schemas": {}},
    }
    seen: set[str] = set()
    for route in tpl.http_routes(template):
        if route.path == "$default" or route.function in seen:
            continue
        seen.add(route.function)
        code_dir = ROOT / template["Resources"][route.function]["Properties"]["CodeUri"]
        app = _load_app(code_dir)
        schema = json.loads(app.get_openapi_json_schema(openapi_version="3.1.0"))
        for path, item in schema.get("paths", {}).items():
            document["paths"].setdefault(path, {}).update(item)
        document["components"]["schemas"].update(schema.get("components", {}).get("schemas", {}))
    for route in tpl.http_routes(template):
        if route.function == "OpenApiFunction":
            document["paths"].setdefault(route.path, {})[route.method.lower()] = {
                "summary": "The API description" if route.path.endswith(".json") else "API documentation page",
                "responses": {"200": {"description": "OK"}},
            }
    _use_problem_responses(document)
    document["paths"] = dict(sorted(document["paths"].items()))
    return document


PROBLEM_SCHEMA = {
    "type": "object",
    "title": "Problem",
    "description": (
        "RFC 9457 problem details in the language of Accept-Language (ru by default, en); `errors` names each "
        "field at fault with a human label. A 409 may add `current_version` (stale If-Match) or `existing_id` "
        "(duplicate INN/OGRN)."
    ),
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "in": {"type": "string"},
                    "label": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
        "current_version": {"type": "integer"},
        "existing_id": {"type": "string"},
    },
}


def _use_problem_responses(document: dict[str, Any]) -> None:
    """Powertools documents its own 422 body; ours is problem+json, as are 400 and 404."""
    schemas = document["components"]["schemas"]
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    reasons = {"400": "Malformed JSON", "404": "Not found", "422": "Validation failed"}
    for item in document["paths"].values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for status, text in reasons.items():
                if status == "400" and "requestBody" not in operation:
                    continue
                responses[status] = {"description": text, "content": problem}


def render() -> str:
    return json.dumps(build_document(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write() -> Path:
    DOCUMENT.write_text(render(), "utf-8")
    return DOCUMENT
