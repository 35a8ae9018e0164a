"""HTTP plumbing shared by every HTTP function: one resolver factory, RFC 9457 problem answers.

Every error leaves as `application/problem+json` naming the field at fault: malformed JSON is 400,
a failed validation 422, a domain error its own status, an unknown route 404. Titles, details and
messages follow the request's Accept-Language (Russian unless English is preferred; see messages.py),
and the answer says which in Content-Language.
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
from shared.http import messages
from shared.http.messages import Language
from shared.settings import SettingsError

PROBLEM_JSON = "application/problem+json"
logger = Logger(service="algoarts")


_RESERVED = frozenset({"type", "title", "status", "detail", "instance", "errors"})


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    extensions: dict[str, Any] | None = None,
    language: Language | None = None,
) -> Response[str]:
    """An RFC 9457 answer; `extensions` become top-level members (never replacing the standard ones)."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    for key, value in (extensions or {}).items():
        if key not in _RESERVED:
            body[key] = value
    headers: dict[str, str | list[str]] = {}
    if language is not None:
        headers = {"Content-Language": language, "Vary": "Accept-Language"}
    return Response(
        status_code=status,
        content_type=PROBLEM_JSON,
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":"), cls=Encoder),
        headers=headers,
    )


def request_language(app: APIGatewayHttpResolver) -> Language:
    """The language the current request prefers (its Accept-Language): "ru" unless English wins."""
    event = getattr(app, "current_event", None)
    headers = event.headers if event is not None else None
    return messages.preferred_language(messages.header_value(headers, "accept-language"))


def _validation_problem(exc: RequestValidationError, language: Language = messages.DEFAULT_LANGUAGE) -> Response[str]:
    errors = list(exc.errors())
    malformed = next((e for e in errors if e.get("type") == "json_invalid"), None)
    if malformed is not None:
        title, detail, item = messages.malformed_json(malformed, language)
        return problem(400, title, detail, errors=[item], language=language)
    items = messages.describe(errors, language)
    title = messages.title("Validation failed", language, 422)
    return problem(422, title, messages.summary(items, language), errors=items, language=language)


def _domain_problem(exc: DomainError, language: Language) -> Response[str]:
    detail = exc.ru if language == "ru" and exc.ru else exc.detail
    errors: list[dict[str, Any]] | None = None
    if exc.field:
        errors = [{"field": exc.field, "label": messages.label(exc.field, language), "message": detail}]
    title = messages.title(exc.title, language, exc.status)
    return problem(exc.status, title, detail, errors=errors, extensions=exc.extensions, language=language)


class MovedPermanently(Exception):
    """Raised by a handler whose resource lives elsewhere now (a former slug): 301 with Location.

    An exception rather than a returned Response, so the route's response model (the resource) is
    not checked against an empty redirect body.
    """

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def no_content() -> Response[str]:
    """204. The body is "" rather than None: some gateways' emulators cannot send a None body
    (the route's return type must then be `Response[str]`, or validation turns "" into "null")."""
    return Response(status_code=204, content_type="text/plain", body="")


def resolver() -> APIGatewayHttpResolver:
    """A resolver with request/response validation and the problem+json error contract."""
    app = APIGatewayHttpResolver(
        enable_validation=True,
        serializer=partial(json.dumps, separators=(",", ":"), ensure_ascii=False, cls=Encoder),
    )

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response[str]:
        return _validation_problem(exc, request_language(app))

    @app.exception_handler(DomainError)
    def _domain(exc: DomainError) -> Response[str]:
        response = _domain_problem(exc, request_language(app))
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(MovedPermanently)
    def _moved(exc: MovedPermanently) -> Response[str]:
        return Response(status_code=301, content_type="text/plain", body="", headers={"Location": exc.location})

    @app.not_found
    def _not_found(_: Exception) -> Response[str]:
        path = app.current_event.raw_path if app.current_event else ""
        language = request_language(app)
        detail = f"Нет такого адреса: {path}" if language == "ru" else f"no route for {path}"
        return problem(404, messages.title("Not found", language, 404), detail, language=language)

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
