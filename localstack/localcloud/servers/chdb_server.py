"""A small ClickHouse HTTP-interface server backed by an in-process chdb session.

Why this exists: chdb is ClickHouse embedded in a Python process. It locks its
data folder (a second process gets "Cannot lock file") and has no server mode,
yet the platform's functions run in separate processes and talk to ClickHouse
with ``clickhouse-connect`` over HTTP, exactly as they would to a managed
ClickHouse. This process owns the data folder and speaks enough of the
ClickHouse HTTP interface for clickhouse-connect's HTTP client:

* ``GET /ping`` (and ``GET /`` with no query) answer ``Ok.``;
* ``GET``/``POST /`` run the SQL in the ``query`` parameter, the body, or the
  two joined by a newline (ClickHouse's rule); ``database``, ``default_format``,
  ``query_id``, ``param_*`` (server-side query parameters) and settings passed as
  URL parameters or ``multipart/form-data`` fields are honoured;
* ``INSERT ... FORMAT <fmt>`` with the data after it (in the body) is
  fed to chdb (``send_insert``, or ``FROM INFILE`` on older chdb), so
  clickhouse-connect's Native inserts work;
* request bodies compressed with ``Content-Encoding`` gzip/deflate/xz/bz2
  (stdlib) or lz4/zstd/br (decompressed by chdb itself, no extra packages);
  responses are always sent uncompressed, which is valid HTTP whatever
  ``Accept-Encoding``/``enable_http_compression`` ask for (clickhouse-connect
  reads ``Content-Encoding`` of the response);
* errors return an HTTP error status with ``X-ClickHouse-Exception-Code`` and
  the ClickHouse message in the body, so clickhouse-connect raises
  ``DatabaseError``;
* a password is required (HTTP basic auth, ``X-ClickHouse-User``/``-Key``
  headers or ``user``/``password`` parameters) and is never logged.

Run: ``CHDB_SERVER_PASSWORD=... python -m localcloud.servers.chdb_server --path DIR --port P``.
Queries are serialized with one lock around one chdb session (chdb sessions are
not meant for concurrent statements and SET/USE are session state).
"""

from __future__ import annotations

import argparse
import base64
import bz2
import gzip
import hmac
import http.client
import inspect
import json
import logging
import lzma
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
import zlib
from email.parser import BytesParser
from email.policy import HTTP as HTTP_POLICY
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

LOG = logging.getLogger("chdb_server")

HOST = "127.0.0.1"
PASSWORD_ENV = "CHDB_SERVER_PASSWORD"  # noqa: S105 - the variable name, not a password

# ClickHouse error codes used for errors raised by this server itself.
CODE_STD_EXCEPTION = 1001
CODE_NOT_IMPLEMENTED = 48
CODE_SYNTAX_ERROR = 62
CODE_READONLY = 164
CODE_UNKNOWN_SETTING = 115
CODE_CANNOT_DECOMPRESS = 271
CODE_AUTHENTICATION_FAILED = 516

# URL parameters that are part of the HTTP protocol (or only make sense for a
# real server's HTTP layer), never forwarded to chdb as settings.
HTTP_ONLY_PARAMS = frozenset(
    {
        "query",
        "database",
        "default_format",
        "user",
        "password",
        "query_id",
        "session_id",
        "session_timeout",
        "session_check",
        "compress",
        "decompress",
        "buffer_size",
        "wait_end_of_query",
        "client_protocol_version",
        "role",
        "quota_key",
        "stacktrace",
        "readonly",  # emulated (a SET readonly would lock the shared session)
        "enable_http_compression",
        "http_zlib_compression_level",
        "send_progress_in_http_headers",
        "http_headers_progress_interval_ms",
        "cancel_http_readonly_queries_on_client_close",
        "http_wait_end_of_query",
        "http_response_buffer_size",
        "http_native_compression_disable_checksumming_on_decompress",
        "add_http_cors_header",
    }
)

# Leading keywords of statements allowed in readonly mode (GET requests, readonly=1/2).
READ_ONLY_KEYWORDS = frozenset({"SELECT", "WITH", "SHOW", "DESC", "DESCRIBE", "EXISTS", "EXPLAIN", "CHECK"})

CONTENT_TYPES = {
    "TABSEPARATED": "text/tab-separated-values; charset=UTF-8",
    "TSV": "text/tab-separated-values; charset=UTF-8",
    "JSON": "application/json; charset=UTF-8",
    "JSONCOMPACT": "application/json; charset=UTF-8",
    "CSV": "text/csv; charset=UTF-8",
}
BINARY_FORMATS = frozenset(
    {"NATIVE", "ROWBINARY", "ROWBINARYWITHNAMESANDTYPES", "ARROW", "ARROWSTREAM", "PARQUET", "ORC", "RAWBLOB"}
)

_QUERY_STRING_RE = re.compile(r"\?[^\s'\"]*")
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_CODE_RE = re.compile(r"Code: (\d+)\. ")
_TRAILING_FORMAT_RE = re.compile(r"\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*\Z", re.IGNORECASE)
_WORD_RE = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
_FIRST_WORD_RE = re.compile(r"\s*(?:(?:--[^\n]*\n|/\*.*?\*/|\()\s*)*([A-Za-z]+)", re.DOTALL)


class ServerError(Exception):
    """An error to report to the client as a ClickHouse exception."""

    def __init__(self, code: int, message: str, status: int = 500) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def _error_from_chdb(exc: BaseException) -> ServerError:
    """Turn a chdb exception into a ServerError, keeping ClickHouse's code and message."""
    message = str(exc)
    match = _CODE_RE.search(message)
    code = int(match.group(1)) if match else CODE_STD_EXCEPTION
    if match and match.start() > 0:
        message = message[match.start() :]  # drop wrappers like "Streaming insert append failed: "
    return ServerError(code, message, _http_status(code))


def _http_status(code: int) -> int:
    """Mirror ClickHouse's mapping of common error codes to HTTP statuses (never 429/503/504,
    which clickhouse-connect would retry)."""
    if code in (CODE_AUTHENTICATION_FAILED, 192, 194, 195):
        return 403
    if code in (CODE_READONLY,):
        return 403
    if code in (60, 81, 47, 46):  # unknown table / database / identifier / function
        return 404
    if code in (
        CODE_SYNTAX_ERROR,
        27,
        26,
        6,
        33,
        53,
        36,
        38,
        41,
        43,
        44,
        69,
        72,
        70,
        117,
        CODE_UNKNOWN_SETTING,
    ):
        return 400
    return 500


SUMMARY_STATS = (
    ("read_rows", "rows_read"),
    ("read_bytes", "bytes_read"),
    ("written_rows", "rows_written"),
    ("written_bytes", "bytes_written"),
)


def _stat(result: Any, name: str) -> int:
    """A counter from a chdb query result (older chdb lacks some of them)."""
    getter = getattr(result, name, None)
    return int(getter()) if getter is not None else 0


def _quote_literal(value: str) -> str:
    """A ClickHouse single-quoted string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _quote_ident(name: str) -> str:
    """A ClickHouse back-quoted identifier."""
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def first_keyword(sql: str) -> str:
    """The statement's first keyword, upper-cased (skipping comments and parentheses)."""
    match = _FIRST_WORD_RE.match(sql)
    return match.group(1).upper() if match else ""


def _skip_blanks(text: bytes, pos: int) -> int:
    """Index of the first non-whitespace byte at or after pos."""
    while pos < len(text) and text[pos] in b" \t\r\n\f":
        pos += 1
    return pos


def _skip_quoted(text: bytes, pos: int) -> int:
    """Index just past the quoted token ('...', "..." or `...`) starting at pos."""
    quote, end = text[pos], pos + 1
    while end < len(text) and text[end] != quote:
        end += 2 if text[end] == 0x5C else 1  # backslash escapes the next byte
    return end + 1


def _data_start(text: bytes, pos: int) -> int:
    """Where inline data begins after a format name: past blanks, then one line break."""
    while pos < len(text) and text[pos] in b" \t\f":
        pos += 1
    if text[pos : pos + 1] == b"\r":
        pos += 1
    if text[pos : pos + 1] == b"\n":
        pos += 1
    return pos


def split_insert(text: bytes) -> tuple[str, str, int] | None:
    """Split ``INSERT INTO ... FORMAT <fmt><data>`` into (statement, format, data offset).

    Returns None for anything else (including ``INSERT ... VALUES``/``SELECT``, which
    chdb runs as plain SQL). Scans tokens so quoted names and strings containing
    the word FORMAT are not mistaken for the clause; data starts after the format
    name, skipping blanks and one line break, as in ClickHouse.
    """
    match = _WORD_RE.match(text, _skip_blanks(text, 0))
    if not match or match.group().upper() != b"INSERT":
        return None
    pos, depth = match.end(), 0
    while (pos := _skip_blanks(text, pos)) < len(text):
        ch = text[pos : pos + 1]
        if ch in (b"'", b'"', b"`"):
            pos = _skip_quoted(text, pos)
            continue
        if ch in (b"(", b")"):
            depth += 1 if ch == b"(" else -1
            pos += 1
            continue
        match = _WORD_RE.match(text, pos)
        if not match:
            pos += 1
            continue
        word = match.group().upper()
        if depth == 0 and word in (b"VALUES", b"SELECT", b"WITH"):
            return None
        if depth == 0 and word == b"FORMAT":
            fmt_match = _WORD_RE.match(text, _skip_blanks(text, match.end()))
            if not fmt_match:
                raise ServerError(CODE_SYNTAX_ERROR, "Syntax error: expected a format name after FORMAT", 400)
            statement = text[:pos].decode("utf-8").strip()
            return statement, fmt_match.group().decode("ascii"), _data_start(text, fmt_match.end())
        pos = match.end()
    return None


def parse_statement(query_param: str, body: bytes) -> tuple[str, tuple[str, str] | None, bytes]:
    """Apply ClickHouse's HTTP rule (SQL = ``query`` parameter + newline + body) and
    return (sql, (insert statement, format) or None, insert data)."""
    query = query_param.encode("utf-8")
    if query:
        head = query + b"\n"
        insert = split_insert(head)
        if insert:
            rest = head[insert[2] :]
            return insert[0], (insert[0], insert[1]), (rest + body if rest else body)
    elif body:
        insert = split_insert(body[: 1 << 16])
        if insert:
            return insert[0], (insert[0], insert[1]), body[insert[2] :]
    text = (query + b"\n" + body) if query and body else (query or body)
    if not text.strip():
        raise ServerError(CODE_SYNTAX_ERROR, "Empty query", 400)
    try:
        return text.decode("utf-8"), None, b""
    except UnicodeDecodeError:
        raise ServerError(CODE_SYNTAX_ERROR, "Query is not valid UTF-8", 400) from None


def check_readonly(sql: str, readonly: int) -> None:
    """Emulate ClickHouse's readonly modes (1: reads only, 2: reads and SET)."""
    if not readonly:
        return
    keyword = first_keyword(sql)
    if keyword in READ_ONLY_KEYWORDS or (readonly == 2 and keyword == "SET"):
        return
    raise ServerError(CODE_READONLY, "Cannot execute query in readonly mode. (READONLY)", 403)


def response_headers(query_id: str, fmt: str, summary: dict[str, int], elapsed: float, size: int) -> dict[str, str]:
    """ClickHouse-style response headers (clickhouse-connect reads the summary and format)."""
    summary_text = {k: str(v) for k, v in summary.items()}
    summary_text.update(
        total_rows_to_read="0", result_rows="0", result_bytes=str(size), elapsed_ns=str(int(elapsed * 1e9))
    )
    upper = fmt.upper()
    default_type = "application/octet-stream" if upper in BINARY_FORMATS else "text/plain; charset=UTF-8"
    return {
        "X-ClickHouse-Query-Id": query_id,
        "X-ClickHouse-Server-Display-Name": "chdb-server",
        "X-ClickHouse-Summary": json.dumps(summary_text, separators=(",", ":")),
        "X-ClickHouse-Format": fmt,
        "Content-Type": CONTENT_TYPES.get(upper, default_type),
    }


class ChdbBackend:
    """Owns the one chdb session on the data folder and runs every statement under a lock.

    Per-request URL settings are applied with SET and the previous request's ones
    reset with ``SET x = DEFAULT``; both are diffed against what is already
    applied, so a steady client costs no extra statements.
    """

    def __init__(self, path: str) -> None:
        from chdb.session import Session  # imported here so is_ready() needs no chdb

        self.path = os.path.abspath(path)
        if "?" in self.path:
            raise ValueError("data path must not contain '?' (chdb reads it as connection options)")
        os.makedirs(self.path, exist_ok=True)
        self.lock = threading.Lock()
        session_class: Any = Session  # chdb is untyped
        self.session: Any = session_class(self.path)
        self.tmpdir = tempfile.mkdtemp(prefix="chdb-server-")
        self._applied: dict[str, str | None] = {}
        self._database: str | None = None
        # chdb 3.x's Session.query has no ``params``; there, query parameters go in with SET param_x.
        self._query_takes_params = "params" in inspect.signature(self.session.query).parameters
        self.version = self._scalar("SELECT version()")
        self.timezone = self._scalar("SELECT timezone()")

    def _scalar(self, sql: str) -> str:
        """Run a one-value query and return it as text."""
        raw: bytes = self.session.query(sql, "TSVRaw").bytes()
        return raw.decode().strip()

    def close(self) -> None:
        """Close the session (flushes chdb state) and remove scratch files."""
        with self.lock:
            if self.session is not None:
                self.session.close()
                self.session = None
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    # -- helpers that must be called with self.lock held --------------------

    def decompress_with_chdb(self, data: bytes, method: str) -> bytes:
        """Decompress lz4/zstd/br bodies with ClickHouse's own codecs (no extra packages)."""
        fd, tmp = tempfile.mkstemp(dir=self.tmpdir)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            source = f"file({_quote_literal(tmp)}, 'RawBLOB', 'raw String', {_quote_literal(method)})"
            sql = f"SELECT raw FROM {source} FORMAT RawBLOB"
            try:
                raw: bytes = self.session.query(sql, "RawBLOB").bytes()
                return raw
            except RuntimeError as exc:
                err = _error_from_chdb(exc)
                raise ServerError(CODE_CANNOT_DECOMPRESS, f"Cannot decompress {method} body: {err}", 400) from None
        finally:
            os.unlink(tmp)

    def run(self, sql: str, fmt: str, params: dict[str, str]) -> Any:
        """Run one statement with server-side query parameters ({name:Type} placeholders)."""
        if not params:
            return self.session.query(sql, fmt)
        if self._query_takes_params:
            return self.session.query(sql, fmt, params=params)
        for name, value in params.items():
            if not _NAME_RE.match(name):
                raise ServerError(CODE_SYNTAX_ERROR, f"Bad query parameter name {name!r}", 400)
            self.session.query(f"SET param_{name} = {_quote_literal(value)}")
        return self.session.query(sql, fmt)

    def insert(self, statement: str, fmt: str, data: bytes) -> tuple[int, int]:
        """Feed ``data`` (in format ``fmt``) to ``statement`` (an INSERT without FORMAT).

        chdb with ``send_insert`` (4.x) streams it in; older chdb reads it from a
        scratch file with ``INSERT ... FROM INFILE``. Returns (rows, bytes) written.
        """
        send_insert = getattr(self.session, "send_insert", None)
        if send_insert is not None:
            inserter = send_insert(statement, fmt)
            try:
                if data:
                    inserter.append(data)
                result = inserter.finish()
            except BaseException:
                inserter.cancel()
                raise
            return result.rows_written, result.bytes_written
        fd, tmp = tempfile.mkstemp(dir=self.tmpdir)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            res = self.session.query(f"{statement} FROM INFILE {_quote_literal(tmp)} FORMAT {fmt}")
            return _stat(res, "rows_written"), _stat(res, "bytes_written")
        finally:
            os.unlink(tmp)

    def sync_state(self, database: str, settings: dict[str, str]) -> None:
        """Make the session's current database and settings match this request."""
        if database != self._database:
            self.session.query(f"USE {_quote_ident(database)}")
            self._database = database
        resets = [k for k in self._applied if k not in settings]
        if resets:
            self.session.query("SET " + ", ".join(f"{k} = DEFAULT" for k in resets))
            for key in resets:
                del self._applied[key]
        changes = {k: v for k, v in settings.items() if self._applied.get(k) != v}
        if changes:
            self.session.query("SET " + ", ".join(f"{k} = {_quote_literal(v)}" for k, v in changes.items()))
            self._applied.update(changes)

    def note_statement(self, sql: str) -> None:
        """Forget cached state a client statement may have changed (USE / SET)."""
        keyword = first_keyword(sql)
        if keyword == "USE":
            self._database = None
        elif keyword == "SET":
            # Values are unknown now: force re-SET of wanted keys and reset of the others.
            self._applied = dict.fromkeys(self._applied)


class Request:
    """A parsed ClickHouse HTTP request: SQL/insert data, settings and transport options."""

    def __init__(self, params: dict[str, str], body: bytes) -> None:
        self.params = params
        self.body = body
        self.query_param = params.get("query", "")
        self.database = params.get("database") or "default"
        self.default_format = params.get("default_format") or "TabSeparated"
        self.query_params = {k[6:]: v for k, v in params.items() if k.startswith("param_")}
        self.settings: dict[str, str] = {}
        for key, value in params.items():
            if key in HTTP_ONLY_PARAMS or key.startswith("param_"):
                continue
            if not _NAME_RE.match(key):
                raise ServerError(CODE_UNKNOWN_SETTING, f"Unknown setting {key!r}", 400)
            self.settings[key] = value
        readonly = params.get("readonly", "0")
        self.readonly = int(readonly) if readonly.isdigit() else 1


class ChdbHTTPHandler(BaseHTTPRequestHandler):
    """Handles one HTTP/1.1 connection (keep-alive, as clickhouse-connect's pool expects)."""

    protocol_version = "HTTP/1.1"
    server_version = "chdb-server"
    # Headers and body go out in separate writes; with Nagle on, the client's delayed
    # ACK would add ~40 ms to every response.
    disable_nagle_algorithm = True
    timeout = 600
    backend: ChdbBackend
    password: str
    username: str

    # -- plumbing -------------------------------------------------------------

    def log_message(self, format: str, *args: Any) -> None:
        """Log without query strings: they can carry SQL data or a password parameter."""
        LOG.debug("%s %s", self.address_string(), _QUERY_STRING_RE.sub("?...", format % args))

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log method, path (no query string) and status only."""
        path = urlsplit(self.path).path
        LOG.debug("%s %s %s", self.command, path, code)

    def _read_body(self, discard: bool = False) -> bytes:
        """Read a Content-Length or chunked body (clickhouse-connect streams inserts chunked)."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts: list[bytes] = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                chunk = self.rfile.read(size)
                if not discard:
                    parts.append(chunk)
                self.rfile.readline(3)  # CRLF after chunk
            return b"".join(parts)
        length = int(self.headers.get("Content-Length") or 0)
        if not discard:
            return self.rfile.read(length) if length else b""
        while length > 0:
            got = len(self.rfile.read(min(length, 1 << 20)))
            length = length - got if got else 0  # 0 bytes: the client went away
        return b""

    def _send(self, status: int, body: bytes | memoryview, headers: dict[str, str] | None = None) -> None:
        """Send a complete response with Content-Length so the connection can be reused."""
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _send_error(self, err: ServerError, query_id: str = "") -> None:
        """Send a ClickHouse-style exception response."""
        message = str(err)
        if not message.startswith("Code: "):
            message = f"Code: {err.code}. DB::Exception: {message}"
        body = f"{message} (version {self.backend.version})\n".encode()
        headers = {
            "Content-Type": "text/plain; charset=UTF-8",
            "X-ClickHouse-Exception-Code": str(err.code),
            "X-ClickHouse-Server-Display-Name": "chdb-server",
        }
        if query_id:
            headers["X-ClickHouse-Query-Id"] = query_id
        self._send(err.status, body, headers)

    def _authenticated(self, params: dict[str, str]) -> bool:
        """Check the password from basic auth, X-ClickHouse-* headers or URL parameters."""
        user = self.headers.get("X-ClickHouse-User")
        key = self.headers.get("X-ClickHouse-Key")
        auth = self.headers.get("Authorization", "")
        if user is None and key is None and auth[:6].lower() == "basic ":
            try:
                user, _, key = base64.b64decode(auth[6:].strip()).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                return False
        if user is None and key is None:
            user, key = params.get("user"), params.get("password")
        user = user or "default"
        ok_user = hmac.compare_digest(user.encode(), self.username.encode())
        ok_key = hmac.compare_digest((key or "").encode(), self.password.encode())
        return ok_user and ok_key

    # -- HTTP verbs -----------------------------------------------------------

    def do_GET(self) -> None:
        """Health endpoints, or a (read-only, as in ClickHouse) query."""
        split = urlsplit(self.path)
        if split.path in ("/ping", "/replicas_status") or (split.path == "/" and "query=" not in split.query):
            self._read_body(discard=True)
            self._send(200, b"Ok.\n", {"Content-Type": "text/html; charset=UTF-8"})
            return
        self._handle_query(readonly_method=True)

    def do_POST(self) -> None:
        """A query or insert."""
        self._handle_query(readonly_method=False)

    # -- the query path -------------------------------------------------------

    def _handle_query(self, readonly_method: bool) -> None:
        split = urlsplit(self.path)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        query_id = params.get("query_id") or str(uuid.uuid4())
        if LOG.isEnabledFor(logging.DEBUG):  # names only: values may hold data or a password
            LOG.debug(
                "%s params=%s content-encoding=%s accept-encoding=%s transfer-encoding=%s",
                self.command,
                sorted(params),
                self.headers.get("Content-Encoding"),
                self.headers.get("Accept-Encoding"),
                self.headers.get("Transfer-Encoding"),
            )
        if split.path != "/":
            self._read_body(discard=True)
            self._send_error(ServerError(CODE_NOT_IMPLEMENTED, f"There is no handle {split.path}", 404), query_id)
            return
        if not self._authenticated(params):
            self._read_body(discard=True)
            user = params.get("user") or self.headers.get("X-ClickHouse-User") or "default"
            self._send_error(
                ServerError(
                    CODE_AUTHENTICATION_FAILED,
                    f"{user}: Authentication failed: "
                    "password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)",
                    403,
                ),
                query_id,
            )
            return
        try:
            body = self._read_body()
            body, params = self._unpack_body(body, params)
            request = Request(params, body)
            if readonly_method:
                request.readonly = max(request.readonly, 2)
            status, payload, headers = self._execute(request, query_id)
        except ServerError as err:
            self._send_error(err, query_id)
            return
        except Exception as exc:  # never let a handler thread die silently
            LOG.exception("unexpected error")
            self.close_connection = True  # the body may be half read
            self._send_error(ServerError(CODE_STD_EXCEPTION, f"{type(exc).__name__}: {exc}", 500), query_id)
            return
        self._send(status, payload, headers)

    def _unpack_body(self, body: bytes, params: dict[str, str]) -> tuple[bytes, dict[str, str]]:
        """Undo Content-Encoding and merge multipart form fields into the parameters."""
        if params.get("decompress") not in (None, "", "0"):
            raise ServerError(
                CODE_NOT_IMPLEMENTED,
                "decompress=1 (ClickHouse-native compressed body) is not supported; use Content-Encoding",
                400,
            )
        if params.get("compress") not in (None, "", "0"):
            raise ServerError(
                CODE_NOT_IMPLEMENTED,
                "compress=1 (ClickHouse-native compressed response) is not supported",
                400,
            )
        encoding = self.headers.get("Content-Encoding", "").strip().lower()
        if encoding and encoding != "identity" and body:
            body = self._decompress(body, encoding)
        ctype = self.headers.get("Content-Type", "")
        if ctype.lower().startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP_POLICY).parsebytes(
                b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + body
            )
            params = dict(params)
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if part.get_filename() is not None:
                    raise ServerError(
                        CODE_NOT_IMPLEMENTED,
                        "External data (temporary tables sent as files) is not supported",
                        400,
                    )
                payload = part.get_payload(decode=True)
                if name and isinstance(payload, bytes):
                    params[str(name)] = payload.decode("utf-8")
            body = b""
        return body, params

    def _decompress(self, body: bytes, encoding: str) -> bytes:
        """Decompress a request body; stdlib for gzip/deflate/xz/bz2, chdb for lz4/zstd/br."""
        try:
            if encoding in ("gzip", "x-gzip"):
                return gzip.decompress(body)
            if encoding == "deflate":
                return zlib.decompress(body)
            if encoding == "xz":
                return lzma.decompress(body)
            if encoding == "bz2":
                return bz2.decompress(body)
        except (OSError, EOFError, zlib.error, lzma.LZMAError, ValueError) as exc:
            raise ServerError(CODE_CANNOT_DECOMPRESS, f"Cannot decompress {encoding} body: {exc}", 400) from None
        if encoding in ("lz4", "zstd", "br"):
            with self.backend.lock:
                return self.backend.decompress_with_chdb(body, encoding)
        raise ServerError(CODE_NOT_IMPLEMENTED, f"Unknown Content-Encoding: {encoding}", 400)

    def _execute(self, request: Request, query_id: str) -> tuple[int, bytes, dict[str, str]]:
        """Run the request's statement in chdb and build the response."""
        sql, insert, data = parse_statement(request.query_param, request.body)
        check_readonly(sql, request.readonly)
        backend = self.backend
        with backend.lock:
            if backend.session is None:
                raise ServerError(CODE_STD_EXCEPTION, "Server is shutting down", 500)
            started = time.perf_counter()
            try:
                backend.sync_state(request.database, request.settings)
                if insert is not None:
                    rows, size = backend.insert(insert[0], insert[1], data)
                    summary = {"read_rows": 0, "read_bytes": 0, "written_rows": rows, "written_bytes": size}
                    payload, fmt = b"", request.default_format
                else:
                    match = _TRAILING_FORMAT_RE.search(sql)
                    fmt = match.group(1) if match else request.default_format
                    res = backend.run(sql, fmt, request.query_params)
                    backend.note_statement(sql)
                    payload = res.bytes()
                    summary = {name: _stat(res, attr) for name, attr in SUMMARY_STATS}
            except RuntimeError as exc:  # ChdbError and send_insert errors are RuntimeErrors
                raise _error_from_chdb(exc) from None
            elapsed = time.perf_counter() - started
        return 200, payload, response_headers(query_id, fmt, summary, elapsed, len(payload))


class ChdbHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer whose handler threads die with the process."""

    daemon_threads = True
    allow_reuse_address = True


def make_server(path: str, port: int, password: str, username: str = "default") -> tuple[ChdbHTTPServer, ChdbBackend]:
    """Open the chdb data folder and bind the HTTP server on 127.0.0.1:port (0 picks a port)."""
    if not password:
        raise ValueError(f"a password is required (--password or {PASSWORD_ENV})")
    backend = ChdbBackend(path)
    handler = type(
        "BoundChdbHTTPHandler",
        (ChdbHTTPHandler,),
        {"backend": backend, "password": password, "username": username},
    )
    try:
        server = ChdbHTTPServer((HOST, port), handler)
    except BaseException:
        backend.close()
        raise
    return server, backend


def is_ready(port: int) -> bool:
    """True when a server answers ``GET /ping`` with ``Ok.`` on 127.0.0.1:port."""
    conn = http.client.HTTPConnection(HOST, port, timeout=1.0)  # no proxy env lookup, unlike urllib
    try:
        conn.request("GET", "/ping")
        response = conn.getresponse()
        return response.status == 200 and response.read() == b"Ok.\n"
    except OSError:
        return False
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: serve until SIGTERM/SIGINT, then close chdb cleanly."""
    parser = argparse.ArgumentParser(description="ClickHouse HTTP interface over an in-process chdb session")
    parser.add_argument("--path", required=True, help="chdb data folder (created if missing; locked while running)")
    parser.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--user", default="default", help="user name clients must present (default: default)")
    parser.add_argument("--password", default=None, help=f"password; prefer the {PASSWORD_ENV} environment variable")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    password = args.password if args.password is not None else os.environ.get(PASSWORD_ENV, "")
    if not password:
        parser.error(f"a password is required: set {PASSWORD_ENV} or pass --password")
    try:
        server, backend = make_server(args.path, args.port, password, args.user)
    except Exception as exc:  # e.g. "Cannot lock file" when another process owns the folder
        LOG.error("cannot start: %s", exc)
        return 1

    def stop(signum: int, _frame: Any) -> None:
        LOG.info("signal %d: shutting down", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    LOG.info("chdb %s serving %s on http://%s:%d", backend.version, backend.path, host, port)
    print(f"READY {port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        backend.close()
    LOG.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
