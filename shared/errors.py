"""Domain errors: services raise these, the HTTP layer turns them into problem+json answers.

`detail` is the English wording; `ru` the Russian one (answered when the caller prefers Russian, the
default); `extensions` are extra members of the problem body, e.g. {"current_version": 3} for a 409.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        ru: str | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.ru = ru
        self.extensions: dict[str, Any] = dict(extensions or {})


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Unprocessable(DomainError):
    status = 422
    title = "Validation failed"


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"

    def __init__(
        self,
        detail: str,
        *,
        retry_after: int,
        ru: str | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail, ru=ru, extensions=extensions)
        self.retry_after = max(1, retry_after)
