"""A local stand-in for Yandex Foundation Models' text embeddings (``POST /foundationModels/v1/textEmbedding``).

Why: production can embed companies with YandexGPT's embedding models over the internet; in tests the real
client (`shared.embeddings.yandex.YandexEmbedder`) talks to this server over a real socket instead. It speaks
the protocol of the real endpoint (https://llm.api.cloud.yandex.net):

* ``POST /foundationModels/v1/textEmbedding`` with ``Authorization: Api-Key <key>`` or ``Bearer <IAM token>``,
  optionally ``x-folder-id: <folder>``, and a JSON body ``{"modelUri": "emb://<folder>/<model>/<version>",
  "text": "..."}`` where model is ``text-search-doc`` or ``text-search-query`` (the version part is optional);
* answers ``{"embedding": [...], "numTokens": "<int64 as string>", "modelVersion": "..."}`` with
  ``dimensions`` components (256, like the real models);
* errors carry the gRPC gateway's body ``{"error": {"grpcCode", "httpCode", "message", "httpStatus",
  "details": []}}``: 401 (grpcCode 16) without or with a wrong key/token, 403 (7) for another folder (in the
  URI or the x-folder-id header), 400 (3) for a body that is not JSON, a bad model URI or an empty text,
  404 for other paths, 405 for other methods, 413 for bodies over 1 MiB.

Vectors are deterministic and carry a little meaning, so nearest-neighbour tests can run against the fake:
each lower-cased word contributes a fixed pseudo-random direction (seeded by the word's SHA-256), the sum
is the text's vector, and the query model adds a small fixed offset (its vectors are close to, not equal
to, the document model's). Like the real ones, they are not normalised.

For tests: ``fail_next(n, status=503)`` answers the next n requests with that error (``retry_after`` adds a
Retry-After header), ``delay_next(n, seconds)`` holds the next n answers back, ``requests`` lists what
arrived (never the key), ``string_components=True`` sends components as numeric strings (the REST reference
types them so). Injected faults apply before the key is checked, as a proxy's would.

Run: ``python -m localcloud.servers.yandex_embeddings --port P --key-file F --folder-id ID``; prints
``READY <port>`` and serves until SIGTERM. The key is read from the file and never printed or logged.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import math
import random
import re
import sys
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
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

LOG = logging.getLogger("yandex_embeddings_fake")

HOST = "127.0.0.1"
PATH = "/foundationModels/v1/textEmbedding"
MODELS = ("text-search-doc", "text-search-query")
DIMENSIONS = 256
MODEL_VERSION = "06.12.2023"
MAX_BODY = 1024 * 1024
_MODEL_URI = re.compile(r"^emb://(?P<folder>[^/]+)/(?P<model>[^/]+)(?:/(?P<version>[^/]+))?$")
_WORD = re.compile(r"\w+", re.UNICODE)

# HTTP status -> (gRPC code, HTTP reason) as the gRPC gateway maps them.
_STATUSES = {
    400: (3, "Bad Request"),
    401: (16, "Unauthorized"),
    403: (7, "Forbidden"),
    404: (5, "Not Found"),
    405: (12, "Method Not Allowed"),
    413: (3, "Request Entity Too Large"),
    429: (8, "Too Many Requests"),
    500: (13, "Internal Server Error"),
    502: (14, "Bad Gateway"),
    503: (14, "Service Unavailable"),
    504: (4, "Gateway Timeout"),
}


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the fake saw it: the auth scheme and whether it matched (never the key itself)."""

    method: str
    path: str
    auth_scheme: str | None
    authorized: bool
    folder_header: str | None
    body: Any


@dataclass
class _Fault:
    status: int
    retry_after: float | None = None
    body: Mapping[str, Any] | None = None


@dataclass
class _State:
    folder_id: str
    api_key: str | None
    iam_token: str | None
    dimensions: int
    string_components: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    failures: deque[_Fault] = field(default_factory=deque)
    delays: deque[float] = field(default_factory=deque)
    requests: list[ReceivedRequest] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)


class FakeYandexEmbeddings(ThreadedStandIn):
    """Yandex's textEmbedding on 127.0.0.1 in a daemon thread: ``start()``, ``url``, ``stop()``.

    ``url`` is the base URL to give `YandexEmbedder` (the real one is https://llm.api.cloud.yandex.net).
    """

    def __init__(
        self,
        folder_id: str,
        *,
        api_key: str | None = None,
        iam_token: str | None = None,
        dimensions: int = DIMENSIONS,
        port: int = 0,
    ) -> None:
        if not folder_id:
            raise ValueError("the fake needs the folder id its clients must use")
        if not api_key and not iam_token:
            raise ValueError("the fake needs the API key or IAM token its clients must present")
        self._state = _State(folder_id=folder_id, api_key=api_key, iam_token=iam_token, dimensions=dimensions)
        super().__init__("fake-yandex-embeddings", port=port, stopping=self._state.stopping)

    def _make_server(self, address: tuple[str, int]) -> _Server:
        server = _Server(address, _Handler)
        server.state = self._state
        return server

    # -- behaviour and fault injection ----------------------------------------------------------------------

    @property
    def string_components(self) -> bool:
        return self._state.string_components

    @string_components.setter
    def string_components(self, value: bool) -> None:
        with self._state.lock:
            self._state.string_components = value

    def fail_next(
        self, n: int, status: int = 503, *, retry_after: float | None = None, body: Mapping[str, Any] | None = None
    ) -> None:
        """Answer the next ``n`` requests with ``status`` (the gateway's error body unless ``body`` is given)."""
        with self._state.lock:
            self._state.failures.extend(_Fault(status, retry_after, body) for _ in range(n))

    def delay_next(self, n: int, seconds: float) -> None:
        """Hold the next ``n`` answers back for ``seconds`` each (the request is read first)."""
        with self._state.lock:
            self._state.delays.extend(seconds for _ in range(n))

    def reset(self) -> None:
        """Forget pending faults, the request log and string_components."""
        with self._state.lock:
            self._state.failures.clear()
            self._state.delays.clear()
            self._state.requests.clear()
            self._state.string_components = False

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._state.lock:
            return list(self._state.requests)

    @property
    def request_count(self) -> int:
        with self._state.lock:
            return len(self._state.requests)

    def vector(self, model: str, text: str) -> list[float]:
        """The vector this fake answers for ``text`` with ``model`` (for assertions)."""
        return fake_vector(model, text, self._state.dimensions)


# -- vectors ----------------------------------------------------------------------------------------------


def _direction(seed: str, dimensions: int) -> list[float]:
    rng = random.Random(hashlib.sha256(seed.encode("utf-8")).digest())  # noqa: S311 - test data, not secrets
    return [rng.gauss(0.0, 1.0) for _ in range(dimensions)]


def fake_vector(model: str, text: str, dimensions: int = DIMENSIONS) -> list[float]:
    """Deterministic: the sum of the words' directions (the text's own if it has no words), plus a small
    offset for the query model; rounded to 6 decimals, as a JSON answer would carry them."""
    words = [w.lower() for w in _WORD.findall(text)] or [text]
    total = [0.0] * dimensions
    for word in words:
        for i, x in enumerate(_direction("word:" + word, dimensions)):
            total[i] += x
    norm = math.sqrt(sum(x * x for x in total)) or 1.0
    if model == "text-search-query":
        offset = _direction("model:text-search-query", dimensions)
        total = [x + 0.1 * norm / math.sqrt(dimensions) * o for x, o in zip(total, offset, strict=True)]
    return [round(x, 6) for x in total]


# -- the server ---------------------------------------------------------------------------------------------


class _Server(StandInHTTPServer):
    state: _State


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no delayed-ACK wait between them
    server_version = "fake-yandex-embeddings/1"

    def log_message(self, format: str, *args: Any) -> None:
        LOG.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._discard_body()
        self._record(None, authorized=False)
        known = self.path.split("?")[0] == PATH
        self._error(405 if known else 404, "only POST is supported" if known else "Not Found")

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
        authorized = self._authorized(state)
        self._record(body, authorized=authorized)
        with state.lock:
            fault = state.failures.popleft() if state.failures else None
            delay = state.delays.popleft() if state.delays else 0.0
        if delay and state.stopping.wait(delay):
            return
        if fault is not None:
            headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else None
            payload = dict(fault.body) if fault.body is not None else _error_body(fault.status, "injected fault")
            self._json(fault.status, payload, headers)
            return
        status, answer = self._answer(body, authorized=authorized)
        self._json(status, answer)

    def _answer(self, body: Any, *, authorized: bool) -> tuple[int, Any]:
        state = self.server.state
        refused = self._refusal(body, authorized=authorized)
        if refused is not None:
            return refused
        match = _MODEL_URI.match(body["modelUri"])
        assert match is not None  # checked by _refusal
        text: str = body["text"]
        vector = fake_vector(match["model"], text, state.dimensions)
        components: list[Any] = [repr(x) for x in vector] if state.string_components else vector
        tokens = len(_WORD.findall(text)) + 2
        return 200, {"embedding": components, "numTokens": str(tokens), "modelVersion": MODEL_VERSION}

    def _refusal(self, body: Any, *, authorized: bool) -> tuple[int, Any] | None:  # noqa: PLR0911 - one per rule
        """The error the real gateway would answer, or None for a well-formed authorised request."""
        state = self.server.state
        if self.path.split("?")[0] != PATH:
            return 404, _error_body(404, "Not Found")
        if not authorized:
            return 401, _error_body(401, "The token is invalid")
        folder_header = self.headers.get("x-folder-id")
        if folder_header is not None and folder_header != state.folder_id:
            return 403, _error_body(403, f"Permission to [resource-manager.folder {folder_header}] denied")
        if not isinstance(body, dict):
            return 400, _error_body(400, "request body must be a JSON object")
        uri = body.get("modelUri")
        match = _MODEL_URI.match(uri) if isinstance(uri, str) else None
        if match is None or match["model"] not in MODELS:
            return 400, _error_body(400, "invalid model_uri")
        if match["folder"] != state.folder_id:
            return 403, _error_body(403, f"Permission to [resource-manager.folder {match['folder']}] denied")
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return 400, _error_body(400, "text: must not be empty")
        return None

    # -- helpers ---------------------------------------------------------------------------------------------

    def _read_body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._record(None, authorized=False)
            status = 413 if length > MAX_BODY else 400
            self._json(status, _error_body(status, "bad Content-Length"), close=True)
            return None
        return self.rfile.read(length) if length else b""

    def _discard_body(self) -> None:
        value = self.headers.get("Content-Length") or "0"
        length = int(value) if value.isdigit() else 0
        if 0 < length <= MAX_BODY:
            self.rfile.read(length)

    def _auth(self) -> tuple[str | None, str]:
        header = self.headers.get("Authorization") or ""
        scheme, _, given = header.partition(" ")
        return (scheme or None), given.strip()

    def _authorized(self, state: _State) -> bool:
        scheme, given = self._auth()
        expected = {"Api-Key": state.api_key, "Bearer": state.iam_token}.get(scheme or "")
        return bool(expected) and hmac.compare_digest(given.encode(), str(expected).encode())

    def _record(self, body: Any, *, authorized: bool) -> None:
        scheme, _ = self._auth()
        request = ReceivedRequest(
            method=self.command,
            path=self.path,
            auth_scheme=scheme,
            authorized=authorized,
            folder_header=self.headers.get("x-folder-id"),
            body=body,
        )
        with self.server.state.lock:
            self.server.state.requests.append(request)

    def _error(self, status: int, message: str) -> None:
        self._json(status, _error_body(status, message))

    def _json(self, status: int, body: Any, headers: Mapping[str, str] | None = None, *, close: bool = False) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
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


def _error_body(status: int, message: str) -> dict[str, Any]:
    """The gRPC gateway's error body Yandex Cloud's REST APIs answer with."""
    grpc_code, reason = _STATUSES.get(status, (2, "Error"))
    return {
        "error": {"grpcCode": grpc_code, "httpCode": status, "message": message, "httpStatus": reason, "details": []}
    }


# -- process entry point ---------------------------------------------------------------------------------


def is_ready(port: int) -> bool:
    """True when something on 127.0.0.1:port answers the textEmbedding path like this server (401 unkeyed)."""
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
    parser = argparse.ArgumentParser(description="Local stand-in for Yandex Foundation Models' textEmbedding")
    parser.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--key-file", type=Path, required=True, help="file holding the API key clients must send")
    parser.add_argument("--folder-id", required=True, help="the folder id model URIs must name")
    parser.add_argument("--dimensions", type=int, default=DIMENSIONS)
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    key = read_secret(parser, args.key_file)
    fake = FakeYandexEmbeddings(args.folder_id, api_key=key, dimensions=args.dimensions, port=args.port).start()
    LOG.info("serving %s%s (%d dimensions)", fake.url, PATH, args.dimensions)
    return serve_until_signal(fake.port, fake.stop, LOG)


if __name__ == "__main__":
    sys.exit(main())
