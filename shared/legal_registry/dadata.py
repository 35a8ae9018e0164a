"""DaData's "Организация по ИНН или ОГРН" (``findById/party``) as a `LegalRegistry`.

Protocol (DaData's public API, the one hflabs' own clients call):

    POST {base_url}/suggestions/api/4_1/rs/findById/party
    Content-Type: application/json, Accept: application/json, Authorization: Token <API key>
    {"query": "<INN or OGRN>", "branch_type": "MAIN", "count": 1, "type": "LEGAL"|"INDIVIDUAL"[, "kpp": "..."]}

    200 {"suggestions": [{"value", "unrestricted_value", "data": {"inn", "kpp", "ogrn", "ogrn_date",
         "type", "name": {"full_with_opf", "short_with_opf", ...}, "address": {"value",
         "unrestricted_value", "data": {...}}, "state": {"status", "registration_date",
         "liquidation_date", ...}, ...}}]}          — an unknown number gives {"suggestions": []}
    errors: {"family": "CLIENT_ERROR", "reason": "...", "message": "..."} with 400, 401 (no or bad key),
         403 (daily limit reached or method not allowed for the key), 405, 413, 429 (too many requests), 5xx

Dates are epoch milliseconds. DaData stamps them at midnight UTC; a stamp at midnight Moscow time (21:00 UTC
the day before) would name the same calendar day, so they are read in Moscow time (UTC+3, no DST since 2014).

Retries happen here, in process, for what `RegistryUnavailable` covers (timeouts, connection errors, 429 and
5xx, a body that is not JSON): exponential backoff with jitter, or the server's Retry-After on 429 (capped at
``max_retry_after``). After the last attempt `RegistryUnavailable` is raised with the last cause; the caller
(the verification worker) decides when to try again. `RegistryRejected` is raised at once.

The API key is sent only in the Authorization header. It never appears in a log line or an exception message:
DaData's own 403 message quotes the key ("Feature 'SUGGESTIONS' disabled for token '...'"), so every text taken
from a response is redacted. The queried number is not logged either (a 12-digit INN is a person's).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from types import TracebackType
from typing import Any, Self

import httpx

from shared.legal_registry.port import (
    LegalKind,
    LegalRecord,
    LegalStatus,
    RegistryRejected,
    RegistryUnavailable,
)
from shared.retries import backoff_delay, parse_retry_after

LOG = logging.getLogger(__name__)

SOURCE = "dadata"
DEFAULT_BASE_URL = "https://suggestions.dadata.ru"
FIND_PARTY_PATH = "/suggestions/api/4_1/rs/findById/party"
MOSCOW = timezone(timedelta(hours=3), "MSK")

_IDENTIFIER = re.compile(r"^(\d{10}|\d{12}|\d{13}|\d{15})$")
_KPP = re.compile(r"^\d{4}[\dA-Z]{2}\d{3}$")
_STATUSES = {s.value.upper(): s for s in LegalStatus}
_KINDS: dict[str, LegalKind] = {"LEGAL": "legal", "INDIVIDUAL": "individual"}
_MAX_MESSAGE = 300


class _Transient(Exception):
    """One failed attempt that is worth another (internal to the retry loop)."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


class DadataRegistry:
    """`LegalRegistry` over DaData's findById/party; one pooled HTTP client per instance (reuse it)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 5.0,
        attempts: int = 3,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
        max_retry_after: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not token:
            raise ValueError("a DaData API key is required")
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        if timeout <= 0 or backoff < 0 or max_retry_after < 0:
            raise ValueError("timeout must be positive; backoff and max_retry_after not negative")
        self._token = token
        self._attempts = attempts
        self._backoff = backoff
        self._max_retry_after = max_retry_after
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Token {token}",
            },
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:  # the default would be harmless, but say so explicitly: no key here
        return f"DadataRegistry(base_url={str(self._client.base_url)!r}, attempts={self._attempts})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def find(self, inn_or_ogrn: str, *, kpp: str | None = None) -> LegalRecord | None:
        """The head office's entry for an INN or OGRN/OGRNIP (optionally narrowed by KPP), or None."""
        query = re.sub(r"\s+", "", inn_or_ogrn)
        if not _IDENTIFIER.match(query):
            raise ValueError("expected an INN (10 or 12 digits) or an OGRN/OGRNIP (13 or 15 digits)")
        body: dict[str, Any] = {
            "query": query,
            "branch_type": "MAIN",
            "count": 1,
            "type": "LEGAL" if len(query) in (10, 13) else "INDIVIDUAL",
        }
        if kpp is not None:
            kpp = kpp.strip().upper()
            if not _KPP.match(kpp):
                raise ValueError("a KPP has 9 characters: 4 digits, 2 digits or letters, 3 digits")
            body["kpp"] = kpp
        payload = self._post(body)
        return _pick(payload, query)

    # -- HTTP and retries ---------------------------------------------------------------------------------

    def _post(self, body: Mapping[str, Any]) -> Any:
        last: _Transient | None = None
        for attempt in range(1, self._attempts + 1):
            try:
                return self._attempt(body)
            except _Transient as exc:
                last = exc
                if attempt == self._attempts:
                    break
                delay = self._delay(attempt, exc.retry_after)
                LOG.warning(
                    "dadata findById/party: %s (attempt %d of %d), retrying in %.2f s",
                    exc.reason,
                    attempt,
                    self._attempts,
                    delay,
                )
                self._sleep(delay)
        assert last is not None
        raise RegistryUnavailable(
            f"DaData findById/party unavailable after {self._attempts} attempt(s): {last.reason}",
            status=last.status,
            retry_after=last.retry_after,
        )

    def _attempt(self, body: Mapping[str, Any]) -> Any:
        try:
            response = self._client.post(FIND_PARTY_PATH, json=dict(body))
        except httpx.TimeoutException as exc:
            raise _Transient(f"timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise _Transient(f"connection failed ({type(exc).__name__}: {self._redact(str(exc))})") from None
        status = response.status_code
        if status == 200:
            try:
                return response.json()
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise _Transient("HTTP 200 with a body that is not JSON", status=status) from None
        detail = self._error_detail(response)
        if status == 429 or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise _Transient(f"HTTP {status}{detail}", status=status, retry_after=retry_after)
        hint = {
            401: "the API key is missing or wrong",
            403: "the API key is not allowed this call or its daily limit is spent",
            404: "wrong base URL",
        }.get(status, "the request was refused")
        raise RegistryRejected(f"DaData findById/party refused: HTTP {status}, {hint}{detail}", status=status)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        return backoff_delay(attempt, retry_after, backoff=self._backoff, max_retry_after=self._max_retry_after)

    def _error_detail(self, response: httpx.Response) -> str:
        """DaData's ``reason: message`` from an error body, redacted and cut short; '' if there is none."""
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return ""
        if not isinstance(body, dict):
            return ""
        parts = [str(body[k]) for k in ("reason", "message") if isinstance(body.get(k), str | int)]
        return f" ({self._redact(': '.join(parts))})" if parts else ""

    def _redact(self, text: str) -> str:
        text = text.replace(self._token, "***")
        return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


# -- mapping ----------------------------------------------------------------------------------------------


def _pick(payload: Any, query: str) -> LegalRecord | None:
    if not isinstance(payload, dict) or not isinstance(payload.get("suggestions"), list):
        raise RegistryUnavailable("DaData findById/party: unexpected answer (no 'suggestions' list)", status=200)
    candidates = [
        s
        for s in payload["suggestions"]
        if isinstance(s, dict)
        and isinstance(s.get("data"), dict)
        and query in (s["data"].get("inn"), s["data"].get("ogrn"))
    ]
    if not candidates:
        return None
    head = next((s for s in candidates if s["data"].get("branch_type") in ("MAIN", None)), candidates[0])
    try:
        return record_from_suggestion(head)
    except (KeyError, TypeError, ValueError) as exc:
        raise RegistryUnavailable(f"DaData findById/party: unexpected answer ({exc})", status=200) from None


def record_from_suggestion(suggestion: Mapping[str, Any], *, source: str = SOURCE) -> LegalRecord:
    """Map one DaData party suggestion to a `LegalRecord`; ValueError/KeyError/TypeError if it is malformed."""
    data: Mapping[str, Any] = suggestion["data"]
    inn, ogrn = _text(data.get("inn")), _text(data.get("ogrn"))
    if not inn or not ogrn:
        raise ValueError("a party without INN or OGRN")
    name: Mapping[str, Any] = data.get("name") or {}
    legal_name = _text(name.get("full_with_opf")) or _text(suggestion.get("unrestricted_value"))
    short_name = _text(name.get("short_with_opf")) or _text(suggestion.get("value")) or legal_name
    if not legal_name or not short_name:
        raise ValueError("a party without a name")
    address: Mapping[str, Any] = data.get("address") or {}
    state: Mapping[str, Any] = data.get("state") or {}
    raw_status = _text(state.get("status"))
    if raw_status is None or raw_status.upper() not in _STATUSES:
        raise ValueError(f"unknown state.status {raw_status!r}")
    raw_kind = _text(data.get("type"))
    kind: LegalKind = _KINDS.get(raw_kind or "", "individual" if len(inn) == 12 else "legal")
    return LegalRecord(
        inn=inn,
        ogrn=ogrn,
        kpp=_text(data.get("kpp")),
        legal_name=legal_name,
        short_name=short_name,
        legal_address=_text(address.get("unrestricted_value")) or _text(address.get("value")),
        status=_STATUSES[raw_status.upper()],
        kind=kind,
        registration_date=epoch_ms_to_date(state.get("registration_date") or data.get("ogrn_date")),
        liquidation_date=epoch_ms_to_date(state.get("liquidation_date")),
        source=source,
    )


def epoch_ms_to_date(value: Any) -> date | None:
    """A DaData timestamp (epoch milliseconds) as the calendar day it names in Moscow; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"a date must be epoch milliseconds, got {type(value).__name__}")
    return datetime.fromtimestamp(value / 1000, tz=UTC).astimezone(MOSCOW).date()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value.strip() or None
