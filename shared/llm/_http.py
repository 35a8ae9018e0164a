"""One HTTP attempt against a provider, with its failures sorted into retryable and final ones.

Shared by the three clients so that "what is transient" means the same everywhere: timeouts, connection
errors, 408, 409 (Anthropic's conflict), 429, 5xx and Anthropic's 529 are `ProviderUnavailable` (the chain
retries them with backoff, honouring Retry-After); other 4xx are `ProviderRejected`. Secrets are redacted
from any text taken from a response or an exception before it reaches a message or a log line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from shared.llm.core import ProviderRejected, ProviderUnavailable
from shared.retries import parse_retry_after

_MAX_MESSAGE = 300
_TRANSIENT_4XX = {408, 409, 429}


def redactor(*secrets: str) -> Callable[[str], str]:
    """A function that hides each secret (and cuts long texts)."""
    hidden = [s for s in secrets if s]

    def redact(text: str) -> str:
        for secret in hidden:
            text = text.replace(secret, "***")
        return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"

    return redact


def post(
    client: httpx.Client,
    url: str,
    *,
    provider: str,
    redact: Callable[[str], str],
    timeout: float,
    json_body: Mapping[str, Any] | None = None,
    data: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    hints: Mapping[int, str] | None = None,
) -> Any:
    """POST and return the decoded JSON of a 200; raise ProviderUnavailable / ProviderRejected otherwise."""
    try:
        response = client.post(url, json=json_body, data=data, headers=headers, timeout=timeout)
    except httpx.TimeoutException as exc:
        raise ProviderUnavailable(f"{provider}: timed out ({type(exc).__name__})", kind="timeout") from None
    except httpx.TransportError as exc:
        raise ProviderUnavailable(
            f"{provider}: connection failed ({type(exc).__name__}: {redact(str(exc))})", kind="connection"
        ) from None
    status = response.status_code
    if status == 200:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ProviderUnavailable(f"{provider}: HTTP 200 with a body that is not JSON", kind="bad_answer") from None
    detail = error_detail(response, redact)
    if status in _TRANSIENT_4XX or status >= 500:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise ProviderUnavailable(
            f"{provider}: HTTP {status}{detail}", kind=f"http_{status}", status=status, retry_after=retry_after
        )
    hint = (hints or {}).get(status) or {
        400: "the request was refused",
        401: "the key is missing or wrong",
        403: "the account may not use this model",
        404: "wrong base URL or model",
    }.get(status, "the request was refused")
    raise ProviderRejected(f"{provider}: HTTP {status}, {hint}{detail}", kind=f"http_{status}", status=status)


def error_detail(response: httpx.Response, redact: Callable[[str], str]) -> str:
    """The error message from the body ('' if none): Yandex's {"error": {"message"}}, Anthropic's
    {"type": "error", "error": {"type", "message"}}, GigaChat's {"status", "message"}."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return ""
    if not isinstance(body, dict):
        return ""
    error = body.get("error") if isinstance(body.get("error"), dict) else body
    if not isinstance(error, dict):
        return ""
    parts = [str(error[k]) for k in ("type", "message") if isinstance(error.get(k), str) and error[k]]
    return f" ({redact(': '.join(parts))})" if parts else ""


def as_int(value: Any) -> int | None:
    """Token counts arrive as numbers or as int64 strings (Yandex); None when absent or unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (optional parts of an answer)."""
    return value if isinstance(value, dict) else {}
