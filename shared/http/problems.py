"""RFC 9457 problem answers: every error leaves as `application/problem+json` naming the field at fault.

Malformed JSON is 400, a failed validation 422, a body that is not JSON 415, a domain error its own
status, an unknown route 404. Titles, details and messages follow the request's Accept-Language
(Russian unless English is preferred); the answer says which in Content-Language. The wording lives in
messages.py, imported on the error path only (a successful request never loads it).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response

from shared.errors import DomainError, TooManyRequests

if TYPE_CHECKING:
    from shared.http.messages import Language
    from shared.http.params import InvalidRequest, UnsupportedMediaType

PROBLEM_JSON = "application/problem+json"
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
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str),
        headers=headers,
    )


def language_of(headers: dict[str, str] | None) -> Language:
    """The language a request prefers (its Accept-Language): "ru" unless English wins."""
    from shared.http import messages

    return messages.preferred_language(messages.header_value(headers, "accept-language"))


def invalid_request(exc: InvalidRequest, language: Language) -> Response[str]:
    from shared.http import messages

    errors = exc.errors()
    malformed = next((e for e in errors if e.get("type") == "json_invalid"), None)
    if malformed is not None:
        title, detail, item = messages.malformed_json(malformed, language)
        return problem(400, title, detail, errors=[item], language=language)
    items = messages.describe(errors, language)
    title = messages.title("Validation failed", language, 422)
    return problem(422, title, messages.summary(items, language), errors=items, language=language)


def unsupported_media_type(exc: UnsupportedMediaType, language: Language) -> Response[str]:
    from shared.http import messages

    ru = language == "ru"
    detail = (
        f"Тело запроса должно быть в формате application/json, а не {exc.content_type}"
        if ru
        else f"The request body must be application/json, not {exc.content_type}"
    )
    item = {"field": "body", "in": "body", "label": messages.label("body", language), "message": detail}
    title = "Неподдерживаемый формат тела запроса" if ru else "Unsupported media type"
    return problem(415, title, detail, errors=[item], language=language)


def domain_problem(exc: DomainError, language: Language) -> Response[str]:
    from shared.http import messages

    detail = exc.ru if language == "ru" and exc.ru else exc.detail
    errors: list[dict[str, Any]] | None = None
    if exc.field:
        errors = [{"field": exc.field, "label": messages.label(exc.field, language), "message": detail}]
    title = messages.title(exc.title, language, exc.status)
    response = problem(exc.status, title, detail, errors=errors, extensions=exc.extensions, language=language)
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def not_found(path: str, language: Language) -> Response[str]:
    from shared.http import messages

    detail = f"Нет такого адреса: {path}" if language == "ru" else f"no route for {path}"
    return problem(404, messages.title("Not found", language, 404), detail, language=language)
