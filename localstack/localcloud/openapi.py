"""The whole API's OpenAPI 3.1 document, built from every HTTP function's declared operations.

Each function's `app.operations` (shared/http: the route, its arguments' locations and pydantic types,
its answer model and status) produce its part of the document, with pydantic's JSON Schema for the
models; the merged document ships with the openapi function and must agree with template.yaml's routes.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import json
import os
import re
from http import HTTPStatus
from pathlib import Path
from typing import Any, get_args, get_origin

from aws_lambda_powertools.event_handler import Response
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from localcloud import template as tpl
from localcloud.paths import ROOT, TEMPLATE
from shared.http import Operation
from shared.http.params import Binding

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


def _template_path(rule: str) -> str:
    return re.sub(r"<(\w+)>", r"{\1}", rule)


def _answer_type(returns: Any) -> Any:
    """`Response[Company]` -> Company; a bare model or type as it is; str bodies (204, 301) -> None."""
    if get_origin(returns) is Response:
        args = get_args(returns)
        returns = args[0] if args else None
    return None if returns in (None, str, Any) else returns


class _Schemas:
    """Component schemas of every model the operations name, in pydantic's JSON Schema (2020-12, as 3.1 uses)."""

    def __init__(self) -> None:
        self.components: dict[str, Any] = {}

    def of(self, annotation: Any, mode: JsonSchemaMode) -> dict[str, Any]:
        schema = TypeAdapter(annotation).json_schema(mode=mode, ref_template=REF)
        for name, definition in schema.pop("$defs", {}).items():
            self.components.setdefault(name, definition)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            name = str(schema.get("title", annotation.__name__))
            self.components.setdefault(name, schema)
            return {"$ref": REF.format(model=name)}
        schema.pop("title", None)
        return schema


def _parameters(binding: Binding, schemas: _Schemas) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in binding.parameters:
        if p.location == "body":
            continue
        if p.model is not None:  # a query model: one parameter per field
            properties = TypeAdapter(p.model).json_schema(mode="validation", ref_template=REF)
            for name, definition in properties.pop("$defs", {}).items():
                schemas.components.setdefault(name, definition)
            required = set(properties.get("required", []))
            for name, field in properties.get("properties", {}).items():
                item: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
                description = field.pop("description", None)
                field.pop("title", None)
                if description:
                    item["description"] = description
                out.append({**item, "schema": field})
            continue
        item = {"name": p.alias, "in": p.location, "required": p.required or p.location == "path"}
        if p.description:
            item["description"] = p.description
        schema = p.adapter.json_schema(mode="validation", ref_template=REF)
        schema.pop("title", None)
        schema.pop("description", None)
        out.append({**item, "schema": schema})
    return out


def _operation(op: Operation, schemas: _Schemas, module_doc: str) -> dict[str, Any]:
    func = op.binding.func
    doc = inspect.getdoc(func) or inspect.cleandoc(module_doc)
    path = _template_path(op.rule)
    operation: dict[str, Any] = {
        "summary": op.summary or f"{op.method} {path}",
        "operationId": "_".join(
            (func.__name__.strip("_"), re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_"), op.method.lower())
        ),
    }
    if op.description or doc:
        operation["description"] = op.description or doc
    parameters = _parameters(op.binding, schemas)
    if parameters:
        operation["parameters"] = parameters
    body = next((p for p in op.binding.parameters if p.location == "body"), None)
    if body is not None:
        operation["requestBody"] = {
            "required": body.required,
            "content": {"application/json": {"schema": schemas.of(body.model or body.annotation, "validation")}},
        }
    answer = _answer_type(op.binding.returns)
    status = str(op.status_code)
    if answer is None or op.status_code == 204:
        operation["responses"] = {status: {"description": HTTPStatus(op.status_code).phrase}}
    else:
        content = {"application/json": {"schema": schemas.of(answer, "serialization")}}
        operation["responses"] = {status: {"description": HTTPStatus(op.status_code).phrase, "content": content}}
    return operation


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
    schemas = _Schemas()
    seen: set[str] = set()
    for route in tpl.http_routes(template):
        if route.path == "$default" or route.function in seen:
            continue
        seen.add(route.function)
        code_dir = ROOT / template["Resources"][route.function]["Properties"]["CodeUri"]
        app = _load_app(code_dir)
        doc = (ast.get_docstring(ast.parse((code_dir / "app.py").read_text("utf-8"))) or "").strip()
        for op in app.operations:
            if op.include_in_schema:
                document["paths"].setdefault(_template_path(op.rule), {})[op.method.lower()] = _operation(
                    op, schemas, doc
                )
    for route in tpl.http_routes(template):
        if route.function == "OpenApiFunction":
            document["paths"].setdefault(route.path, {})[route.method.lower()] = {
                "summary": _DOCUMENTS.get(route.path.rsplit("/", 1)[-1], "API documentation page"),
                "responses": {"200": {"description": "OK"}},
            }
    document["components"]["schemas"] = dict(sorted(schemas.components.items()))
    _use_problem_responses(document)
    document["paths"] = dict(sorted(document["paths"].items()))
    return document


REF = "#/components/schemas/{model}"
_DOCUMENTS = {"openapi.json": "The API description", "asyncapi.json": "The events description (AsyncAPI 3.0)"}


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
    """Every error is problem+json: 404 and 422 on every operation, 400 (malformed JSON) and 415 (not JSON)
    where there is a body."""
    schemas = document["components"]["schemas"]
    schemas["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    reasons = {"400": "Malformed JSON", "404": "Not found", "415": "Not JSON", "422": "Validation failed"}
    for item in document["paths"].values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for status, text in reasons.items():
                if status in ("400", "415") and "requestBody" not in operation:
                    continue
                responses[status] = {"description": text, "content": problem}


def render() -> str:
    return json.dumps(build_document(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write() -> Path:
    DOCUMENT.write_text(render(), "utf-8")
    return DOCUMENT
