"""HTTP plumbing shared by every HTTP function: one resolver factory, RFC 9457 problem answers.

Every error leaves as `application/problem+json` naming the field at fault: malformed JSON is 400,
a failed validation 422, a domain error its own status, an unknown route 404.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.shared.json_encoder import Encoder
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.errors import DomainError, TooManyRequests
from shared.settings import SettingsError

PROBLEM_JSON = "application/problem+json"
logger = Logger(service="algoarts")


def problem(status: int, title: str, detail: str, *, errors: list[dict[str, Any]] | None = None) -> Response[str]:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return Response(
        status_code=status, content_type=PROBLEM_JSON, body=json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    )


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    # ("body", "name") -> "name"; ("query", "q") -> "q"; the location kind is reported separately.
    parts = [str(p) for p in loc[1:]] if len(loc) > 1 else [str(p) for p in loc]
    return ".".join(parts)


def _validation_problem(exc: RequestValidationError) -> Response[str]:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem(400, "Malformed JSON", "the request body is not valid JSON", errors=[{"field": "body"}])
    items = [
        {"field": _field(e.get("loc", ())), "in": str(e.get("loc", ("body",))[0]), "message": e.get("msg", "")}
        for e in errors
    ]
    names = ", ".join(i["field"] for i in items)
    return problem(422, "Validation failed", f"invalid fields: {names}", errors=items)


def resolver() -> APIGatewayHttpResolver:
    """A resolver with request/response validation and the problem+json error contract."""
    app = APIGatewayHttpResolver(
        enable_validation=True,
        serializer=partial(json.dumps, separators=(",", ":"), ensure_ascii=False, cls=Encoder),
    )

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response[str]:
        return _validation_problem(exc)

    @app.exception_handler(DomainError)
    def _domain(exc: DomainError) -> Response[str]:
        errors = [{"field": exc.field, "message": exc.detail}] if exc.field else None
        response = problem(exc.status, exc.title, exc.detail, errors=errors)
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.not_found
    def _not_found(_: Exception) -> Response[str]:
        path = app.current_event.raw_path if app.current_event else ""
        return problem(404, "Not found", f"no route for {path}")

    return app


Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def entrypoint(app: APIGatewayHttpResolver, *, warm: Callable[[], object] | None = None) -> Handler:
    """The Lambda handler for a resolver; `warm` runs at cold start so bad settings fail fast."""
    if warm is not None:
        try:
            warm()
        except SettingsError as exc:
            logger.error("cold start failed", extra={"reason": str(exc)})
            raise

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        response = app.resolve(event, context)
        # One access-log line per request (no headers, no body: they may carry credentials).
        logger.info("request", extra={"route": event.get("routeKey"), "status": response.get("statusCode")})
        return response

    return handler
