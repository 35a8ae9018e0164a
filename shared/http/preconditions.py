"""Conditional requests (RFC 9110): the ETag of a versioned resource and the version an If-Match expects."""

from __future__ import annotations

import re

from shared.errors import DomainError

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d+)"?\s*$')


class PreconditionMalformed(DomainError):
    status = 400
    title = "Malformed precondition"


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(headers: dict[str, str] | None) -> int | None:
    """The version named by If-Match (`"3"`, `W/"3"` or `3`); None when absent or `*`."""
    value = next((v for k, v in (headers or {}).items() if k.lower() == "if-match"), None)
    if value is None or value.strip() == "*":
        return None
    match = _ETAG.match(value)
    if match is None:
        raise PreconditionMalformed(
            'If-Match must be the ETag of the version you read, e.g. "3"',
            field="If-Match",
            ru='If-Match должен содержать ETag прочитанной версии, например "3"',
        )
    return int(match.group(1))
