"""Successful answers a handler returns: one helper per shape, so status codes and headers are said once.

A handler may also return a pydantic model (200, JSON). Bodies are serialized by the API's serializer
(`shared.http.serialize`): pydantic models in JSON mode by alias, the same bytes the validation
middleware produced before.
"""

from __future__ import annotations

from typing import Any, Protocol

from aws_lambda_powertools.event_handler import Response

from shared.http.preconditions import etag

JSON = "application/json"


class Versioned(Protocol):
    version: int


def ok(
    body: Any, *, status: int = 200, location: str | None = None, headers: dict[str, str] | None = None
) -> Response[Any]:
    """A JSON answer; `location` becomes the Location header."""
    out: dict[str, str | list[str]] = dict(headers or {})
    if location is not None:
        out["Location"] = location
    return Response(status_code=status, content_type=JSON, body=body, headers=out)


def versioned(resource: Versioned, *, status: int = 200, location: str | None = None) -> Response[Any]:
    """A versioned resource with its ETag (the version an `If-Match` names to change it)."""
    return ok(resource, status=status, location=location, headers={"ETag": etag(resource.version)})


def created(resource: Any, location: str) -> Response[Any]:
    """201 with the new resource's address."""
    return ok(resource, status=201, location=location)


def accepted(receipt: Any, location: str) -> Response[Any]:
    """202: the work is queued; `location` is where to watch it."""
    return ok(receipt, status=202, location=location)


def no_content() -> Response[str]:
    """204. The body is "" rather than None: some gateways' emulators cannot send a None body."""
    return Response(status_code=204, content_type="text/plain", body="")
