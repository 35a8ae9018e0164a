"""A local stand-in for DaData's "Организация по ИНН или ОГРН" API (``findById/party``).

Why: verification of companies against ЕГРЮЛ calls DaData over the internet; locally and in tests the same
client (`shared.legal_registry.dadata.DadataRegistry`) talks to this server over a real socket instead.
It speaks the protocol of the real endpoint:

* ``POST /suggestions/api/4_1/rs/findById/party`` with ``Authorization: Token <key>`` and a JSON body
  ``{"query": INN or OGRN, "kpp"?, "branch_type"?: MAIN|BRANCH, "type"?: LEGAL|INDIVIDUAL,
  "status"?: [ACTIVE, ...], "count"?: 1..300 (default 10)}``;
* answers ``{"suggestions": [...]}`` with every record whose ``data.inn`` or ``data.ogrn`` equals the query
  (and the filters), ``{"suggestions": []}`` for an unknown number;
* errors carry DaData's body ``{"family": "CLIENT_ERROR"|"SERVER_ERROR", "reason", "message"}``:
  401 without or with a wrong key, 400 for a body that is not JSON or has no ``query``, 405 for other
  methods, 404 for other paths.

Records are DaData ``suggestion`` objects exactly as the real API returns them (see `suggestion()` to build
one, and ``dadata_registry.json`` next to this file for real companies).

For tests: ``fail_next(n, status=503)`` answers the next n requests with that error (``retry_after`` adds a
Retry-After header), ``delay_next(n, seconds)`` holds the next n answers back, ``requests`` lists what
arrived (the key is never stored). Injected faults apply before the key is checked, as a proxy's would.

Run: ``python -m localcloud.servers.dadata --port P --token-file F [--records FILE]``; prints ``READY <port>``
and serves until SIGTERM. The key is read from the file and never printed or logged.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import sys
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from localcloud.servers.standin import (
    StandInHTTPServer,
    ThreadedStandIn,
    configure_logging,
    read_secret,
    serve_until_signal,
)

LOG = logging.getLogger("dadata_fake")

HOST = "127.0.0.1"
PATH = "/suggestions/api/4_1/rs/findById/party"
RECORDS_FILE = Path(__file__).with_name("dadata_registry.json")
MAX_COUNT = 300
MAX_BODY = 64 * 1024
# The day the fixture's "actuality" is stamped with (DaData: when the record was last refreshed).
ACTUALITY_DATE = date(2025, 6, 1)
OGRN_SINCE = date(2002, 7, 1)  # Federal law 129-FZ: the register and its numbers start here

_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Request Entity Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the fake saw it; ``authorized`` says whether the key matched (the key is not kept)."""

    method: str
    path: str
    content_type: str | None
    accept: str | None
    authorized: bool
    body: Any


@dataclass
class _Fault:
    status: int | None = None
    retry_after: float | None = None
    body: Mapping[str, Any] | None = None


@dataclass
class _State:
    token: str
    records: list[dict[str, Any]]
    lock: threading.Lock = field(default_factory=threading.Lock)
    failures: deque[_Fault] = field(default_factory=deque)
    delays: deque[float] = field(default_factory=deque)
    requests: list[ReceivedRequest] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)


class FakeDadata(ThreadedStandIn):
    """DaData's findById/party on 127.0.0.1 in a daemon thread: ``start()``, ``url``, ``stop()``.

    ``url`` is the base URL to give `DadataRegistry` (the real one is https://suggestions.dadata.ru).
    """

    def __init__(self, token: str, records: Iterable[Mapping[str, Any]] = (), *, port: int = 0) -> None:
        if not token:
            raise ValueError("the fake needs the API key its clients must present")
        self._state = _State(token=token, records=[dict(r) for r in records])
        super().__init__("fake-dadata", port=port, stopping=self._state.stopping)

    def _make_server(self, address: tuple[str, int]) -> _Server:
        server = _Server(address, _Handler)
        server.state = self._state
        return server

    # -- data and fault injection ---------------------------------------------------------------------------

    def add(self, *records: Mapping[str, Any]) -> None:
        with self._state.lock:
            self._state.records.extend(dict(r) for r in records)

    def fail_next(
        self,
        n: int,
        status: int = 503,
        *,
        retry_after: float | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        """Answer the next ``n`` requests with ``status`` (DaData's error body unless ``body`` is given)."""
        with self._state.lock:
            self._state.failures.extend(_Fault(status=status, retry_after=retry_after, body=body) for _ in range(n))

    def delay_next(self, n: int, seconds: float) -> None:
        """Hold the next ``n`` answers back for ``seconds`` each (the request is read first)."""
        with self._state.lock:
            self._state.delays.extend(seconds for _ in range(n))

    def reset(self) -> None:
        """Forget pending faults and the request log."""
        with self._state.lock:
            self._state.failures.clear()
            self._state.delays.clear()
            self._state.requests.clear()

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._state.lock:
            return list(self._state.requests)

    @property
    def request_count(self) -> int:
        with self._state.lock:
            return len(self._state.requests)


class _Server(StandInHTTPServer):
    state: _State


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no delayed-ACK wait between them
    server_version = "fake-dadata/1"

    def log_message(self, format: str, *args: Any) -> None:
        LOG.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._discard_body()
        self._record(None, authorized=False)
        self._error(405 if self.path.split("?")[0] == PATH else 404, "only POST is supported")

    do_PUT = do_DELETE = do_PATCH = do_GET

    def do_POST(self) -> None:
        state = self.server.state
        raw = self._read_body()
        if raw is None:
            return
        body: Any
        try:
            body = json.loads(raw) if raw else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = raw.decode("utf-8", "replace")
        authorized = self._authorized(state.token)
        self._record(body, authorized=authorized)
        with state.lock:
            fault = state.failures.popleft() if state.failures else None
            delay = state.delays.popleft() if state.delays else 0.0
        if delay and state.stopping.wait(delay):
            return
        if fault is not None and fault.status is not None:
            self._inject(fault, state.token)
            return
        status, answer = self._answer(body, authorized=authorized)
        self._json(status, answer)

    def _inject(self, fault: _Fault, token: str) -> None:
        headers = {"Retry-After": _seconds(fault.retry_after)} if fault.retry_after is not None else {}
        if fault.body is not None:
            self._json(fault.status or 503, fault.body, headers)
            return
        # DaData's 403 (limit spent, method not allowed) quotes the key; clients must not repeat it.
        message = f"Feature 'SUGGESTIONS' disabled for token '{token}'" if fault.status == 403 else "injected failure"
        self._error(fault.status or 503, message, headers)

    def _answer(self, body: Any, *, authorized: bool) -> tuple[int, Any]:
        path = self.path.split("?")[0]
        if path != PATH:
            return 404, _error_body(404, f"no such method: {path}")
        if not authorized:
            return 401, _error_body(401, "Token is missing or not valid")
        if not isinstance(body, dict) or not isinstance(body.get("query"), str | int):
            return 400, _error_body(400, "Request body must be a JSON object with a 'query'")
        try:
            return 200, {"suggestions": _find(self.server.state, body)}
        except ValueError as exc:
            return 400, _error_body(400, str(exc))

    # -- helpers ---------------------------------------------------------------------------------------------

    def _read_body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._record(None, authorized=False)
            self._error(413 if length > MAX_BODY else 400, "bad Content-Length", close=True)
            return None
        return self.rfile.read(length) if length else b""

    def _discard_body(self) -> None:
        value = self.headers.get("Content-Length") or "0"
        length = int(value) if value.isdigit() else 0
        if 0 < length <= MAX_BODY:
            self.rfile.read(length)

    def _authorized(self, token: str) -> bool:
        header = self.headers.get("Authorization") or ""
        scheme, _, given = header.partition(" ")
        return scheme == "Token" and hmac.compare_digest(given.strip().encode(), token.encode())

    def _record(self, body: Any, *, authorized: bool) -> None:
        request = ReceivedRequest(
            method=self.command,
            path=self.path,
            content_type=self.headers.get("Content-Type"),
            accept=self.headers.get("Accept"),
            authorized=authorized,
            body=body,
        )
        with self.server.state.lock:
            self.server.state.requests.append(request)

    def _error(
        self, status: int, message: str, headers: Mapping[str, str] | None = None, *, close: bool = False
    ) -> None:
        self._json(status, _error_body(status, message), headers, close=close)

    def _json(self, status: int, body: Any, headers: Mapping[str, str] | None = None, *, close: bool = False) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (e.g. its timeout fired)
            self.close_connection = True


def _error_body(status: int, message: str) -> dict[str, str]:
    """DaData's error body: {"family": "CLIENT_ERROR"|"SERVER_ERROR", "reason": <HTTP reason>, "message"}."""
    return {
        "family": "SERVER_ERROR" if status >= 500 else "CLIENT_ERROR",
        "reason": _REASONS.get(status, "Error"),
        "message": message,
    }


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _find(state: _State, body: Mapping[str, Any]) -> list[dict[str, Any]]:
    query = str(body["query"]).strip()
    kpp = body.get("kpp")
    branch_type = body.get("branch_type")
    kind = body.get("type")
    statuses = body.get("status")
    count = body.get("count", 10)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_COUNT:
        raise ValueError(f"'count' must be an integer from 1 to {MAX_COUNT}")
    if statuses is not None and not (isinstance(statuses, list) and all(isinstance(s, str) for s in statuses)):
        raise ValueError("'status' must be a list of statuses")
    with state.lock:
        records = list(state.records)
    found = []
    for record in records:
        data = record.get("data") or {}
        if query not in (data.get("inn"), data.get("ogrn")):
            continue
        if kpp and data.get("kpp") != kpp:
            continue
        if branch_type and data.get("branch_type") != branch_type:
            continue
        if kind and data.get("type") != kind:
            continue
        if statuses and (data.get("state") or {}).get("status") not in statuses:
            continue
        found.append(record)
    return found[:count]


# -- building records ---------------------------------------------------------------------------------------

_OPF: dict[str, tuple[str, str, str]] = {
    # short: (code by ОКОПФ 2014, full, short)
    "ООО": ("12300", "Общество с ограниченной ответственностью", "ООО"),
    "АО": ("12267", "Непубличное акционерное общество", "АО"),
    "ПАО": ("12247", "Публичное акционерное общество", "ПАО"),
    "ИП": ("50102", "Индивидуальный предприниматель", "ИП"),
}
_FEDERAL_CITIES = {"Москва", "Санкт-Петербург", "Севастополь"}
_REGION_TYPES = {"обл": "область", "край": "край", "Респ": "республика", "АО": "автономный округ"}


def epoch_ms(day: date | None) -> int | None:
    """A day as DaData stamps it: epoch milliseconds at midnight UTC."""
    if day is None:
        return None
    return int(datetime.combine(day, time(0), tzinfo=UTC).timestamp() * 1000)


def suggestion(  # noqa: PLR0917 - the register's identity of a party reads best positionally
    inn: str,
    ogrn: str,
    kpp: str | None,
    full_name: str,
    short_name: str,
    address: str,
    status: str = "ACTIVE",
    kind: str = "LEGAL",
    registration_date: date | None = None,
    liquidation_date: date | None = None,
    *,
    management: tuple[str, str] | None = None,
    okved: str | None = "62.01",
    branch_count: int = 0,
    ogrn_date: date | None = None,
    actuality_date: date = ACTUALITY_DATE,
) -> dict[str, Any]:
    """A party suggestion shaped like DaData's findById/party answer.

    ``full_name``/``short_name`` are with the legal form (ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ЯНДЕКС",
    ООО "ЯНДЕКС"); the form itself (``opf``) is taken from the short name's first word. ``address`` is the full
    line with the postal code first ("119021, г Москва, ул Льва Толстого, д 16"); ``address.data`` is parsed
    from it (postal code, region, city, street, house). ``management`` is (name, post). ``hid`` is derived
    from the numbers (DaData's is an opaque SHA-256 hex too). ``ogrn_date`` defaults to the registration date
    for entities registered since OGRNs exist (1 July 2002); older ones got theirs later, so it stays None.
    """
    if status not in {"ACTIVE", "LIQUIDATING", "LIQUIDATED", "BANKRUPT", "REORGANIZING"}:
        raise ValueError(f"unknown status {status!r}")
    if kind not in {"LEGAL", "INDIVIDUAL"}:
        raise ValueError(f"unknown kind {kind!r}")
    opf_short = "ИП" if kind == "INDIVIDUAL" else short_name.split(" ", 1)[0]
    code, opf_full, opf_abbr = _OPF.get(opf_short, (None, None, opf_short))
    bare_full = _strip_form(full_name, opf_full)
    bare_short = _strip_form(short_name, opf_abbr)
    address_value, address_data = _address(address)
    return {
        "value": short_name,
        "unrestricted_value": short_name,
        "data": {
            "kpp": kpp,
            "capital": None,
            "management": {"name": management[0], "post": management[1], "disqualified": None} if management else None,
            "founders": None,
            "managers": None,
            "predecessors": None,
            "successors": None,
            "branch_type": "MAIN",
            "branch_count": branch_count,
            "source": None,
            "qc": None,
            "hid": hashlib.sha256(f"{inn}:{ogrn}".encode()).hexdigest(),
            "type": kind,
            "state": {
                "status": status,
                "code": None,
                "actuality_date": epoch_ms(actuality_date),
                "registration_date": epoch_ms(registration_date),
                "liquidation_date": epoch_ms(liquidation_date),
            },
            "opf": {"type": "2014", "code": code, "full": opf_full, "short": opf_abbr},
            "name": {
                "full_with_opf": full_name,
                "short_with_opf": short_name,
                "latin": None,
                "full": bare_full,
                "short": bare_short,
            },
            "inn": inn,
            "ogrn": ogrn,
            "okpo": None,
            "okato": None,
            "oktmo": None,
            "okogu": None,
            "okfs": None,
            "okved": okved,
            "okveds": None,
            "authorities": None,
            "documents": None,
            "licenses": None,
            "finance": None,
            "address": {"value": address_value, "unrestricted_value": address, "data": address_data},
            "phones": None,
            "emails": None,
            "ogrn_date": epoch_ms(ogrn_date or _ogrn_date(registration_date)),
            "okved_type": "2014" if okved else None,
            "employee_count": None,
        },
    }


_FORM_PREFIXES = (
    "ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ",
    "НЕПУБЛИЧНОЕ АКЦИОНЕРНОЕ ОБЩЕСТВО",
    "ПУБЛИЧНОЕ АКЦИОНЕРНОЕ ОБЩЕСТВО",
    "АКЦИОНЕРНОЕ ОБЩЕСТВО",
    "ИНДИВИДУАЛЬНЫЙ ПРЕДПРИНИМАТЕЛЬ",
    "ООО",
    "ПАО",
    "АО",
    "ИП",
)


def _ogrn_date(registration_date: date | None) -> date | None:
    return registration_date if registration_date and registration_date >= OGRN_SINCE else None


def _strip_form(name: str, form: str | None = None) -> str:
    """The name without its legal form and outer quotes: 'ООО "ЯНДЕКС"' -> 'ЯНДЕКС' (DaData's name.full/short)."""
    upper = name.upper()
    for prefix in (*((form.upper(),) if form else ()), *_FORM_PREFIXES):
        if upper.startswith(prefix + " "):
            name = name[len(prefix) + 1 :]
            break
    if name.startswith('"'):
        name = name[1:]
    if name.endswith('"') and name.count('"') % 2 == 1:
        name = name[:-1]
    return name


_STREET_PREFIXES = {"ул", "пер", "наб", "пл", "проезд", "туп", "аллея", "мкр"}
_STREET_SUFFIXES = {"пр-кт": "пр-кт", "шоссе": "ш", "б-р": "б-р", "проезд": "проезд"}
_BLOCK_TYPES = {"стр": "строение", "к": "корпус"}


def _street(street: str | None) -> tuple[str | None, str | None]:
    """DaData's (street_type, street): "ул Льва Толстого" -> ("ул", ...), "Ленинградское шоссе" -> ("ш", ...)."""
    if not street:
        return None, None
    head, _, tail = street.partition(" ")
    if head in _STREET_PREFIXES and tail:
        return head, tail
    name, _, last = street.rpartition(" ")
    if last in _STREET_SUFFIXES and name:
        return _STREET_SUFFIXES[last], name
    return None, street


def _house(house: str | None) -> tuple[str | None, str | None, str | None]:
    """("39А стр 2") -> ("39А", "стр", "2")."""
    if not house:
        return None, None, None
    words = house.split()
    if len(words) >= 3 and words[1] in _BLOCK_TYPES:
        return words[0], words[1], " ".join(words[2:])
    return house, None, None


def _address(line: str) -> tuple[str, dict[str, Any]]:
    """("г Москва, ул Льва Толстого, д 16", {postal_code, region..., city..., street..., house...})."""
    parts = [p.strip() for p in line.split(",") if p.strip()]
    postal_code = parts.pop(0) if parts and parts[0].isdigit() and len(parts[0]) == 6 else None
    region = city = street = house = None
    for part in parts:
        word, _, rest = part.partition(" ")
        if city is None and word == "г":
            city = rest
        elif region is None and city is None and (word in _REGION_TYPES or part.split(" ")[-1] in _REGION_TYPES):
            region = part
        elif word == "д":
            house = rest
        elif street is None and city is not None:
            street = part
    if region is None and city in _FEDERAL_CITIES:
        region = f"г {city}"
    region_type = region_name = None
    if region is not None:
        head, _, tail = region.partition(" ")
        if head in _REGION_TYPES or head == "г":
            region_type, region_name = head, tail
        else:
            region_name, _, region_type = region.rpartition(" ")
    street_type, street_name = _street(street)
    house_number, block_type, block = _house(house)
    value = ", ".join(parts)
    return value, {
        "postal_code": postal_code,
        "country": "Россия",
        "country_iso_code": "RU",
        "region_with_type": region,
        "region_type": region_type,
        "region_type_full": "город" if region_type == "г" else _REGION_TYPES.get(region_type or ""),
        "region": region_name,
        "city_with_type": f"г {city}" if city else None,
        "city_type": "г" if city else None,
        "city_type_full": "город" if city else None,
        "city": city,
        "street_with_type": street,
        "street_type": street_type or None,
        "street": street_name or None,
        "house_type": "д" if house else None,
        "house_type_full": "дом" if house else None,
        "house": house_number,
        "block_type": block_type,
        "block_type_full": _BLOCK_TYPES.get(block_type or ""),
        "block": block,
        "source": None,
        "qc": None,
    }


# -- process entry point ---------------------------------------------------------------------------------


def load_records(path: Path = RECORDS_FILE) -> list[dict[str, Any]]:
    """The suggestion objects in a JSON file (default: the real companies next to this module)."""
    records: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    shaped = isinstance(records, list) and all(isinstance(r, dict) and isinstance(r.get("data"), dict) for r in records)
    if not shaped:
        raise ValueError(f"{path}: expected a JSON list of DaData suggestion objects")
    return records


def is_ready(port: int) -> bool:
    """True when something on 127.0.0.1:port answers the findById/party path like this server (401 unkeyed)."""
    import http.client

    conn = http.client.HTTPConnection(HOST, port, timeout=1.0)
    try:
        conn.request("POST", PATH, body=b"{}", headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status == 401
    except OSError:
        return False
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    """Serve the fake until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(description="Local stand-in for DaData's findById/party API")
    parser.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--token-file", type=Path, required=True, help="file holding the API key clients must send")
    parser.add_argument("--records", type=Path, default=RECORDS_FILE, help="JSON list of DaData suggestions")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    token = read_secret(parser, args.token_file)
    try:
        records = load_records(args.records)
    except (OSError, ValueError) as exc:
        LOG.error("cannot load records: %s", exc)
        return 1
    fake = FakeDadata(token, records, port=args.port).start()
    LOG.info("serving %d record(s) from %s on %s%s", len(records), args.records, fake.url, PATH)
    return serve_until_signal(fake.port, fake.stop, LOG)


if __name__ == "__main__":
    sys.exit(main())
