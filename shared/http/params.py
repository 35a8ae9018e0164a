"""Request parameters declared on a handler's arguments and validated by pydantic directly.

A handler says where each argument comes from with `Annotated`:

    company_id: Annotated[str, Path(max_length=500)]        # the route's <company_id>
    limit: Annotated[int, Query(ge=1, le=50)] = 10          # ?limit=
    query: Annotated[CompanyListQuery, Query()]             # a query model: each field a parameter
    patch: CompanyPatch                                      # a pydantic model: the JSON body
    caller: Annotated[Caller, Depends(requires(...))]        # powertools' Depends: computed per request

`bind()` reads the signature once, at import, and compiles one pydantic `TypeAdapter` per argument; per
request it validates every location and reports all errors together, located the way clients read them
(`("body", "tech_stack", 0)`, `("query", "page_size")`, `("path", "company_id")`), so the problem+json
422 is the same whatever location failed. This replaces powertools' OpenAPI validation middleware, whose
machinery cost every function ~150 ms of cold start; the OpenAPI document is produced at build time from
the same declarations (`Binding.parameters`, localstack/localcloud/openapi.py).
"""

from __future__ import annotations

import inspect
import json
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, get_args, get_origin, get_type_hints

from aws_lambda_powertools.event_handler.depends import Depends, build_dependency_tree, solve_dependencies
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

Location = Literal["path", "query", "header", "body"]


class InvalidRequest(Exception):
    """A request that failed validation: pydantic-shaped error dicts with `loc` starting at the location."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} validation error(s)")
        self._errors = errors

    def errors(self) -> list[dict[str, Any]]:
        return self._errors


class UnsupportedMediaType(Exception):
    """A body in a content type other than JSON: 415."""

    def __init__(self, content_type: str) -> None:
        super().__init__(content_type)
        self.content_type = content_type


class _Param:
    """A location marker; keyword arguments are pydantic `Field` constraints (ge, le, max_length, pattern, …)."""

    location: Location

    def __init__(self, *, alias: str | None = None, description: str | None = None, **constraints: Any) -> None:
        self.alias = alias
        self.description = description
        self.constraints = constraints

    def field(self, default: Any) -> Any:
        return Field(default=default, description=self.description, **self.constraints)


class Path(_Param):
    location = "path"


class Query(_Param):
    location = "query"


class Header(_Param):
    location = "header"


class Body(_Param):
    location = "body"


@dataclass
class Parameter:
    """One argument of a handler: where it comes from and how it is validated (also read by the OpenAPI build)."""

    name: str
    location: Location
    annotation: Any  # the argument's type without the marker
    alias: str
    required: bool
    default: Any
    description: str | None
    adapter: TypeAdapter[Any]
    model: type[BaseModel] | None = None  # a query model (each field a parameter) or a body model
    sequence: frozenset[str] = field(default_factory=frozenset)  # query fields that take comma-separated lists


def _strip_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _model_of(annotation: Any) -> type[BaseModel] | None:
    inner = _strip_optional(annotation)
    if get_origin(inner) is Annotated:
        inner = get_args(inner)[0]
    return inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None


def _is_sequence(annotation: Any) -> bool:
    """list[...] | None, Annotated[list[...], ...]: a field that receives `a,b` as ["a", "b"] (as API gateways
    join repeated parameters with commas)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_sequence(get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_is_sequence(a) for a in get_args(annotation))
    return origin in (list, tuple, set, frozenset)


def _parameter(name: str, hint: Any, default: Any) -> Parameter | None:
    marker: _Param | None = None
    annotation = hint
    if get_origin(hint) is Annotated:
        annotation, *extras = get_args(hint)
        if any(isinstance(e, Depends) for e in extras):
            return None
        marker = next((e for e in extras if isinstance(e, _Param)), None)
    required = default is inspect.Parameter.empty
    value_default = None if required else default
    model = _model_of(annotation)
    if marker is None:
        if model is None:
            return None  # a plain argument: a route segment passed through as text
        marker = Body()
    if marker.location == "query" and model is not None:
        sequence = frozenset(
            (info.alias or key) for key, info in model.model_fields.items() if _is_sequence(info.annotation)
        )
        return Parameter(
            name, "query", annotation, name, required, value_default, marker.description,
            TypeAdapter(annotation), model=model, sequence=sequence,
        )  # fmt: skip
    typed: Any = Annotated[annotation, marker.field(value_default)] if marker.constraints else annotation
    return Parameter(
        name, marker.location, annotation, marker.alias or name, required, value_default, marker.description,
        TypeAdapter(typed), model=model if marker.location == "body" else None,
    )  # fmt: skip


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an answer annotation names: `Response[Company]`, `Company`, `X | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def _missing(loc: tuple[str | int, ...]) -> dict[str, Any]:
    return {"type": "missing", "loc": loc, "msg": "Field required", "input": None}


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


class Binding:
    """A handler's arguments, read once from its signature; `arguments()` computes them for a request."""

    def __init__(self, func: Callable[..., Any]) -> None:
        hints = get_type_hints(func, include_extras=True)
        self.func = func
        self.parameters: list[Parameter] = []
        for name, param in inspect.signature(func).parameters.items():
            bound = _parameter(name, hints.get(name, str), param.default)
            if bound is not None:
                self.parameters.append(bound)
        self.returns = hints.get("return")
        for model in _models_in(self.returns):
            # Models are declared with defer_build (a function builds only the models it uses); the
            # answer's are built now, so the cold start, not the first request, pays for them.
            model.model_rebuild()
        self.dependencies = build_dependency_tree(func)
        self._body = [p for p in self.parameters if p.location == "body"]
        if len(self._body) > 1:
            raise TypeError(f"{func.__name__}: one body argument at most")

    def arguments(
        self,
        event: Any,
        route_args: Mapping[str, str],
        request: Any,
        overrides: dict[Callable[..., Any], Callable[..., Any]] | None = None,
    ) -> dict[str, Any]:
        """Validated values for every declared argument; InvalidRequest with all errors when any fails."""
        values: dict[str, Any] = dict(route_args)
        errors: list[dict[str, Any]] = []
        query = event.query_string_parameters or {}
        for p in self.parameters:
            if p.location == "body":
                continue
            if p.model is not None:  # a query model: its own fields are the parameters
                raw = {
                    alias: (query[alias].split(",") if alias in p.sequence else query[alias])
                    for alias in ((i.alias or k) for k, i in p.model.model_fields.items())
                    if query.get(alias) is not None
                }
                self._validate(p, raw, ("query",), values, errors)
                continue
            source = route_args.get(p.alias) if p.location == "path" else None
            if p.location == "query":
                source = query.get(p.alias)
            elif p.location == "header":
                source = _header(event.headers, p.alias)
            if source is None:
                if p.required:
                    errors.append(_missing((p.location, p.alias)))
                else:
                    values[p.name] = p.default
                continue
            self._validate(p, source, (p.location, p.alias), values, errors)
        for p in self._body:
            self._body_argument(p, event, values, errors)
        if errors:
            raise InvalidRequest(errors)
        if self.dependencies.dependencies:
            values.update(
                solve_dependencies(
                    dependant=self.dependencies, request=request, dependency_overrides=overrides, dependency_cache={}
                )
            )
        return values

    @staticmethod
    def _validate(p: Parameter, raw: Any, loc: tuple[str, ...], values: dict[str, Any], errors: list[Any]) -> None:
        try:
            values[p.name] = p.adapter.validate_python(raw)
        except ValidationError as exc:
            errors.extend({**e, "loc": (*loc, *e["loc"])} for e in exc.errors(include_url=False))

    def _body_argument(self, p: Parameter, event: Any, values: dict[str, Any], errors: list[Any]) -> None:
        """JSON only (no content type counts as JSON); an empty body or `null` is a missing one."""
        content_type = (_header(event.headers, "content-type") or "").strip().lower()
        if content_type and not content_type.startswith("application/json"):
            raise UnsupportedMediaType(content_type.split(";")[0])
        text = event.decoded_body
        data = None
        if text:
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                error = {"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error"}
                raise InvalidRequest([{**error, "ctx": {"error": exc.msg}}]) from None
        if data is None:
            if p.required:
                errors.append(_missing(("body",)))
            else:
                values[p.name] = p.default
            return
        self._validate(p, data, ("body",), values, errors)
