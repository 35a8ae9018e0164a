"""The one way to write an HTTP function: `app = api()`, a route, declared arguments, one service call.

    app = api()

    @app.patch("/v1/companies/<company_id>")
    def update(
        company_id: CompanyKey,
        patch: CompanyPatch,
        caller: Annotated[Caller, Depends(requires(Permission.COMPANY_WRITE))],
        version: IfMatch,
        cache: Companies,
    ) -> Response[Company]:
        return versioned(update_company(caller.settings, company_id, patch, caller.context, ...))

    handler = entrypoint(app)

Arguments are validated by pydantic directly (params.py), dependencies resolved by powertools' `Depends`
(deps.py, caches.py), answers shaped by answers.py, errors answered as problem+json (problems.py).
The resolver is powertools' APIGatewayHttpResolver without its OpenAPI validation middleware; the
OpenAPI document is built from `app.operations` at build time (localstack/localcloud/openapi.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from shared.cold_start import cold_start
from shared.errors import DomainError
from shared.http import problems
from shared.http.answers import no_content
from shared.http.params import Binding, InvalidRequest, UnsupportedMediaType
from shared.http.problems import PROBLEM_JSON, problem
from shared.logs import logger

if TYPE_CHECKING:
    from shared.http.messages import Language

__all__ = ["PROBLEM_JSON", "Api", "MovedPermanently", "Operation", "api", "entrypoint", "no_content", "problem"]


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def serialize(body: Any) -> str:
    """An answer's body as compact UTF-8 JSON; pydantic models in JSON mode, by alias."""
    if isinstance(body, BaseModel):
        body = body.model_dump(mode="json", by_alias=True)
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=_default)


class MovedPermanently(Exception):
    """Raised by a handler whose resource lives elsewhere now (a former slug): 301 with Location."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


@dataclass(frozen=True)
class Operation:
    """A route as the OpenAPI build reads it: method, rule, the handler's binding and its route options."""

    method: str
    rule: str
    binding: Binding
    summary: str | None
    description: str | None
    include_in_schema: bool
    status_code: int


def _moved(exc: MovedPermanently) -> Response[str]:
    return Response(status_code=301, content_type="text/plain", body="", headers={"Location": exc.location})


class Api(APIGatewayHttpResolver):
    """APIGatewayHttpResolver whose routes validate their declared arguments (params.Binding) and whose
    errors are problem+json in the caller's language."""

    def __init__(self) -> None:
        super().__init__(enable_validation=False, serializer=serialize)
        self.operations: list[Operation] = []
        self.exception_handler(InvalidRequest)(lambda exc: problems.invalid_request(exc, self._language()))
        self.exception_handler(UnsupportedMediaType)(lambda exc: problems.unsupported_media_type(exc, self._language()))
        self.exception_handler(DomainError)(lambda exc: problems.domain_problem(exc, self._language()))
        self.exception_handler(MovedPermanently)(_moved)
        self.not_found(lambda _: problems.not_found(self._path(), self._language()))

    def _language(self) -> Language:
        event = getattr(self, "current_event", None)
        return problems.language_of(event.headers if event is not None else None)

    def _path(self) -> str:
        event = getattr(self, "current_event", None)
        return str(event.raw_path) if event is not None else ""

    def route(self, rule: str, method: Any, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        register = super().route(rule, method, *args, **kwargs)
        summary = kwargs.get("summary", args[3] if len(args) > 3 else None)
        description = kwargs.get("description", args[4] if len(args) > 4 else None)
        include = kwargs.get("include_in_schema", args[9] if len(args) > 9 else True)
        status = kwargs.get("status_code", args[15] if len(args) > 15 else 200)

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            binding = Binding(func)
            for item in (method,) if isinstance(method, str) else method:
                self.operations.append(Operation(item.upper(), rule, binding, summary, description, include, status))

            def call(**route_args: str) -> Any:
                overrides = self.dependency_overrides or None
                return func(**binding.arguments(self.current_event, route_args, self.request, overrides))

            call.__name__ = call.__qualname__ = func.__name__
            call.__doc__ = func.__doc__
            register(call)
            return func

        return decorator


def api() -> Api:
    """The resolver of one HTTP function."""
    return Api()


Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def entrypoint(app: Api, *warm: Callable[[], object]) -> Handler:
    """The Lambda handler for an API: cold start (settings validated, `warm` steps run), then each request
    resolved with one access-log line (no headers, no body: they may carry credentials)."""
    cold_start(*warm)

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        response = app.resolve(event, context)
        logger.info("request", extra={"route": event.get("routeKey"), "status": response.get("statusCode")})
        return response

    return handler
