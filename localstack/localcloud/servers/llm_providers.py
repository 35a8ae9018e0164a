"""Local stand-ins for the three chat-model APIs `shared.llm` calls: YandexGPT, GigaChat and Claude.

Why: production reaches the providers over the internet; tests run the real clients against these servers
over real sockets on 127.0.0.1. Each speaks its provider's protocol, checks credentials like the real one,
and answers with that provider's body shapes and error formats:

* `FakeYandexGPT` — ``POST /foundationModels/v1/completion`` with ``Authorization: Api-Key <key>`` and
  ``x-folder-id``; ``modelUri`` must be ``gpt://<folder>/<model>``; answers
  ``{"result": {"alternatives": [{"message": {"role", "text"}, "status"}], "usage": {...}, "modelVersion"}}``;
  errors in the gRPC gateway's ``{"error": {"grpcCode", "httpCode", "message", "httpStatus"}}``.
* `FakeGigaChat` — ``POST /api/v2/oauth`` (``Authorization: Basic <auth key>``, a uuid ``RqUID``, form
  ``scope=...``) issues ``{"access_token", "expires_at"}`` (ms) valid ``token_ttl_s``; ``POST
  /api/v1/chat/completions`` with ``Bearer <token>`` answers OpenAI-like ``choices``/``usage``; an unknown or
  expired token is 401 ``{"status": 401, "message": "Unauthorized"}``. OAuth and chat share one port.
* `FakeClaude` — ``POST /v1/messages`` with ``x-api-key`` and ``anthropic-version: 2023-06-01``; answers
  ``{"type": "message", "content": [{"type": "text", "text"}], "usage": {"input_tokens", "output_tokens"}}``;
  errors ``{"type": "error", "error": {"type", "message"}}`` (529 is ``overloaded_error``).

The default answer is JSON built from the schema the request carries (YandexGPT's ``jsonSchema``, or the
schema spelled out after "JSON-схеме:" in the system prompt), so every task gets a valid answer without
scripting. Like a gullible model, the default answer obeys an injected instruction found *outside* the
``<company_data>``/``<news_item>``/``<partnership_data>`` fences (it answers plain text then): a prompt
whose fences leak fails validation, one whose fences hold does not.

For tests: ``answer_next(n, content)`` queues answers (a dict is sent as JSON text, a str as is: invalid JSON,
code fences ...), ``fail_next(n, status, retry_after=, body=)`` queues errors, ``delay_next(n, seconds)`` holds
answers back, ``requests`` lists what arrived (never a key). `FakeGigaChat` also has ``expire_tokens()`` and
``tokens_issued``. Faults apply before the credentials check, as a proxy's would. A stand-in running as a
process is scripted over HTTP: ``POST /_fake/script`` with ``X-Fake-Admin-Key: <the provider key>`` and a body
``{"answer": <content>, "n": 1}``, ``{"fail": 503, "n": 2, "retry_after": 1}``, ``{"delay": 2.0, "n": 1}`` or
``{"reset": true}`` (204; 403 without the key).

Run one as a process: ``python -m localcloud.servers.llm_providers --provider yandexgpt --port P --key-file F
[--folder-id ID]``; prints ``READY <port>`` and serves until SIGTERM; the key is never printed.
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import re
import secrets
import signal
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import FrameType
from typing import Any, ClassVar
from urllib.parse import parse_qs

from localcloud.servers.standin import StandInHTTPServer, ThreadedStandIn

LOG = logging.getLogger("llm_providers_fake")

HOST = "127.0.0.1"
MAX_BODY = 2 * 1024 * 1024
_FENCED = re.compile(r"<(company_data|news_item|partnership_data)>.*?</\1>", re.DOTALL)
ADMIN_PATH = "/_fake/script"
_INJECTION = re.compile(r"игнорируй|ignore (all )?previous", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)
GULLIBLE_ANSWER = "HACKED: делаю, как сказано в описании компании."


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    authorized: bool
    headers: dict[str, str]  # without credentials
    body: Any


@dataclass
class _Fault:
    status: int
    retry_after: float | None = None
    body: Mapping[str, Any] | None = None


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    answers: deque[Any] = field(default_factory=deque)
    failures: deque[_Fault] = field(default_factory=deque)
    delays: deque[float] = field(default_factory=deque)
    requests: list[ReceivedRequest] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)


# -- answers built from a JSON schema -----------------------------------------------------------------------

_FILLER = (
    "Компании дополняют друг друга: продукты закрывают соседние задачи одних и тех же клиентов, "
    "а открытые API упрощают интеграцию и совместный пилот."
)


def sample(schema: Mapping[str, Any], name: str = "", root: Mapping[str, Any] | None = None) -> Any:  # noqa: PLR0911 - one per JSON type
    """A value valid for ``schema`` (the subset pydantic emits: object, string, number, array, enum, and
    ``$ref`` to the root's ``$defs``)."""
    root = schema if root is None else root
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return sample(root.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {}), name, root)
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {key: sample(sub, key, root) for key, sub in props.items()}
    if kind == "string":
        text = "Тема: партнёрство и интеграция" if name == "subject" else _FILLER
        low, high = int(schema.get("minLength", 0)), int(schema.get("maxLength", 10_000))
        text = (text * (1 + low // max(1, len(text))))[: max(low, min(len(text), high))]
        return text
    if kind in ("number", "integer"):
        bottom, top = float(schema.get("minimum", 0)), float(schema.get("maximum", 1))
        value = round(bottom + (top - bottom) * 0.75, 2)
        return int(value) if kind == "integer" else value
    if kind == "array":
        if name == "tags":
            return ["saas", "интеграции"]
        return [sample(schema.get("items", {"type": "string", "maxLength": 20}), name, root)]
    if kind == "boolean":
        return True
    return None


def schema_in(text: str) -> dict[str, Any] | None:
    """The JSON schema a prompt spells out after "JSON-схеме:" (None if absent or unreadable)."""
    _, marker, rest = text.partition("JSON-схеме:")
    if not marker:
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(rest.strip())
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def default_answer(system: str, user_texts: list[str], schema: Mapping[str, Any] | None) -> str:
    """What the fake model says when nothing is scripted (see the module docstring)."""
    last_user = user_texts[-1] if user_texts else ""
    if _INJECTION.search(_FENCED.sub("", last_user)):
        return GULLIBLE_ANSWER
    found = schema or schema_in(system) or {"type": "object", "properties": {"text": {"type": "string"}}}
    return json.dumps(sample(found), ensure_ascii=False)


def _tokens(text: str) -> int:
    return len(_WORD.findall(text)) + 2


# -- the server machinery -------------------------------------------------------------------------------------


class _Server(StandInHTTPServer):
    fake: FakeProvider


class FakeProvider(ThreadedStandIn):
    """Base: a ThreadingHTTPServer on 127.0.0.1 in a daemon thread, with scripted behaviour."""

    name: ClassVar[str] = "fake"
    secret_headers: ClassVar[tuple[str, ...]] = ("authorization",)

    def __init__(self, *, port: int = 0) -> None:
        self.state = _State()
        super().__init__(f"fake-{self.name}", port=port, stopping=self.state.stopping)

    def _make_server(self, address: tuple[str, int]) -> _Server:
        server = _Server(address, _Handler)
        server.fake = self
        return server

    # scripting

    def answer_next(self, n: int, content: Any) -> None:
        """The next ``n`` completions answer ``content`` (dict → JSON text, str → as is)."""
        text = json.dumps(content, ensure_ascii=False) if isinstance(content, dict | list) else str(content)
        with self.state.lock:
            self.state.answers.extend(text for _ in range(n))

    def fail_next(
        self, n: int, status: int = 503, *, retry_after: float | None = None, body: Mapping[str, Any] | None = None
    ) -> None:
        with self.state.lock:
            self.state.failures.extend(_Fault(status, retry_after, body) for _ in range(n))

    def delay_next(self, n: int, seconds: float) -> None:
        with self.state.lock:
            self.state.delays.extend(seconds for _ in range(n))

    def reset(self) -> None:
        with self.state.lock:
            self.state.answers.clear()
            self.state.failures.clear()
            self.state.delays.clear()
            self.state.requests.clear()

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self.state.lock:
            return list(self.state.requests)

    def completions(self) -> list[ReceivedRequest]:
        """The requests that reached the completion endpoint (not OAuth)."""
        return [r for r in self.requests if r.path.split("?", maxsplit=1)[0] == self.completion_path]

    # per provider

    completion_path: ClassVar[str] = "/"

    def authorized(self, path: str, headers: Mapping[str, str]) -> bool:
        raise NotImplementedError

    @property
    def admin_key(self) -> str:
        raise NotImplementedError

    def script(self, command: Any) -> bool:
        """Apply one admin command (see the module docstring); False if it is not understood."""
        if not isinstance(command, dict):
            return False
        n = command.get("n", 1)
        if not isinstance(n, int) or n < 0:
            return False
        if command.get("reset") is True:
            self.reset()
        elif "answer" in command:
            self.answer_next(n, command["answer"])
        elif isinstance(command.get("fail"), int):
            retry_after = command.get("retry_after")
            self.fail_next(n, command["fail"], retry_after=float(retry_after) if retry_after is not None else None)
        elif isinstance(command.get("delay"), int | float):
            self.delay_next(n, float(command["delay"]))
        else:
            return False
        return True

    def handle(self, path: str, headers: Mapping[str, str], body: Any, raw: bytes) -> tuple[int, Any]:
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> Any:
        raise NotImplementedError

    def next_text(self, system: str, user_texts: list[str], schema: Mapping[str, Any] | None) -> str:
        with self.state.lock:
            scripted = self.state.answers.popleft() if self.state.answers else None
        return scripted if scripted is not None else default_answer(system, user_texts, schema)


def _same(given: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "fake-llm/1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40-ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:
        LOG.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._discard_body()
        self._json(405, self.server.fake.error_body(405, "only POST is supported"))

    do_PUT = do_DELETE = do_PATCH = do_GET

    def do_POST(self) -> None:
        fake = self.server.fake
        state = fake.state
        raw = self._read_body()
        if raw is None:
            return
        body: Any
        try:
            body = json.loads(raw) if raw and "json" in (self.headers.get("Content-Type") or "") else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        headers = {k.lower(): v for k, v in self.headers.items()}
        if self.path.split("?", maxsplit=1)[0] == ADMIN_PATH:
            if not _same(headers.get("x-fake-admin-key", ""), fake.admin_key):
                self._json(403, fake.error_body(403, "admin key required"))
            elif not fake.script(body):
                self._json(400, fake.error_body(400, "unknown script command"))
            else:
                self._empty(204)
            return
        authorized = fake.authorized(self.path, headers)
        shown = {k: v for k, v in headers.items() if k not in fake.secret_headers}
        with state.lock:
            state.requests.append(ReceivedRequest("POST", self.path, authorized, shown, body))
            fault = state.failures.popleft() if state.failures else None
            delay = state.delays.popleft() if state.delays else 0.0
        if delay and state.stopping.wait(delay):
            return
        if fault is not None:
            extra = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else None
            payload = dict(fault.body) if fault.body is not None else fake.error_body(fault.status, "injected fault")
            self._json(fault.status, payload, extra)
            return
        if not authorized:
            self._json(401, fake.error_body(401, "Unauthorized"))
            return
        status, answer = fake.handle(self.path.split("?", maxsplit=1)[0], headers, body, raw)
        self._json(status, answer)

    def _empty(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _read_body(self) -> bytes | None:
        value = self.headers.get("Content-Length") or "0"
        length = int(value) if value.isdigit() else -1
        if length < 0 or length > MAX_BODY:
            self._json(413, self.server.fake.error_body(413, "bad Content-Length"), close=True)
            return None
        return self.rfile.read(length) if length else b""

    def _discard_body(self) -> None:
        value = self.headers.get("Content-Length") or "0"
        if value.isdigit() and 0 < int(value) <= MAX_BODY:
            self.rfile.read(int(value))

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
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout fired)
            self.close_connection = True


# -- YandexGPT ------------------------------------------------------------------------------------------------

_GRPC = {400: (3, "Bad Request"), 401: (16, "Unauthorized"), 403: (7, "Forbidden"), 404: (5, "Not Found"),
         405: (12, "Method Not Allowed"), 413: (3, "Request Entity Too Large"), 429: (8, "Too Many Requests"),
         500: (13, "Internal Server Error"), 502: (14, "Bad Gateway"), 503: (14, "Service Unavailable"),
         504: (4, "Gateway Timeout")}  # fmt: skip


class FakeYandexGPT(FakeProvider):
    name = "yandexgpt"
    completion_path = "/foundationModels/v1/completion"
    model_version = "23.10.2025"

    def __init__(self, folder_id: str, api_key: str, *, port: int = 0) -> None:
        super().__init__(port=port)
        self.folder_id = folder_id
        self.api_key = api_key

    @property
    def admin_key(self) -> str:
        return self.api_key

    def authorized(self, path: str, headers: Mapping[str, str]) -> bool:
        scheme, _, given = headers.get("authorization", "").partition(" ")
        return scheme == "Api-Key" and _same(given.strip(), self.api_key)

    def error_body(self, status: int, message: str) -> Any:
        code, reason = _GRPC.get(status, (2, "Error"))
        return {
            "error": {"grpcCode": code, "httpCode": status, "message": message, "httpStatus": reason, "details": []}
        }

    def handle(self, path: str, headers: Mapping[str, str], body: Any, raw: bytes) -> tuple[int, Any]:
        if path != self.completion_path:
            return 404, self.error_body(404, "Not Found")
        if headers.get("x-folder-id", self.folder_id) != self.folder_id:
            return 403, self.error_body(403, "Permission denied")
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
            return 400, self.error_body(400, "messages: must not be empty")
        uri = str(body.get("modelUri", ""))
        if not uri.startswith(f"gpt://{self.folder_id}/"):
            return 400 if not uri.startswith("gpt://") else 403, self.error_body(400, f"invalid model_uri {uri}")
        messages = body["messages"]
        if any(not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant") for m in messages):
            return 400, self.error_body(400, "messages: bad role")
        system = " ".join(str(m.get("text", "")) for m in messages if m["role"] == "system")
        users = [str(m.get("text", "")) for m in messages if m["role"] == "user"]
        schema = body.get("jsonSchema", {}).get("schema") if isinstance(body.get("jsonSchema"), dict) else None
        text = self.next_text(system, users, schema)
        prompt_tokens = sum(_tokens(str(m.get("text", ""))) for m in messages)
        completion_tokens = _tokens(text)
        return 200, {
            "result": {
                "alternatives": [
                    {"message": {"role": "assistant", "text": text}, "status": "ALTERNATIVE_STATUS_FINAL"}
                ],
                "usage": {
                    "inputTextTokens": str(prompt_tokens),
                    "completionTokens": str(completion_tokens),
                    "totalTokens": str(prompt_tokens + completion_tokens),
                },
                "modelVersion": self.model_version,
            }
        }


# -- GigaChat -------------------------------------------------------------------------------------------------


class FakeGigaChat(FakeProvider):
    name = "gigachat"
    completion_path = "/api/v1/chat/completions"
    oauth_path = "/api/v2/oauth"
    model_version = "GigaChat-Pro:2.0.28.2"

    def __init__(self, auth_key: str, *, scope: str = "GIGACHAT_API_PERS", token_ttl_s: float = 1800, port: int = 0):
        super().__init__(port=port)
        self.auth_key = auth_key
        self.scope = scope
        self.token_ttl_s = token_ttl_s
        self._tokens: dict[str, float] = {}  # token -> expiry (seconds since the epoch)
        self.tokens_issued = 0

    @property
    def admin_key(self) -> str:
        return self.auth_key

    def expire_tokens(self) -> None:
        """Every issued token is now refused (a 401 on the next chat request)."""
        with self.state.lock:
            self._tokens.clear()

    def authorized(self, path: str, headers: Mapping[str, str]) -> bool:
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if path.split("?", maxsplit=1)[0] == self.oauth_path:
            return scheme == "Basic" and _same(given.strip(), self.auth_key)
        with self.state.lock:
            expiry = self._tokens.get(given.strip())
        return scheme == "Bearer" and expiry is not None and time.time() < expiry

    def error_body(self, status: int, message: str) -> Any:
        return {"status": status, "message": message}

    def handle(self, path: str, headers: Mapping[str, str], body: Any, raw: bytes) -> tuple[int, Any]:
        if path == self.oauth_path:
            return self._oauth(headers, raw)
        if path != self.completion_path:
            return 404, self.error_body(404, "Not Found")
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
            return 422, self.error_body(422, "messages: field required")
        if not isinstance(body.get("model"), str):
            return 422, self.error_body(422, "model: field required")
        messages = body["messages"]
        system = " ".join(str(m.get("content", "")) for m in messages if m.get("role") == "system")
        users = [str(m.get("content", "")) for m in messages if m.get("role") == "user"]
        text = self.next_text(system, users, None)
        prompt_tokens = sum(_tokens(str(m.get("content", ""))) for m in messages)
        completion_tokens = _tokens(text)
        return 200, {
            "choices": [{"message": {"role": "assistant", "content": text}, "index": 0, "finish_reason": "stop"}],
            "created": int(time.time()),
            "model": self.model_version,
            "object": "chat.completion",
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    def _oauth(self, headers: Mapping[str, str], raw: bytes) -> tuple[int, Any]:
        try:
            uuid.UUID(headers.get("rquid", ""), version=4)
        except ValueError:
            return 400, {"code": 5, "message": "RqUID: must be a uuid4"}
        form = parse_qs(raw.decode("utf-8", "replace"))
        if form.get("scope") != [self.scope]:
            return 400, {"code": 7, "message": "scope: unknown or not allowed"}
        token = "eyJ" + secrets.token_urlsafe(32)
        expiry = time.time() + self.token_ttl_s
        with self.state.lock:
            self._tokens[token] = expiry
            self.tokens_issued += 1
        return 200, {"access_token": token, "expires_at": int(expiry * 1000)}


# -- Claude ---------------------------------------------------------------------------------------------------

_ANTHROPIC_ERRORS = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
                     404: "not_found_error", 405: "invalid_request_error", 413: "request_too_large",
                     429: "rate_limit_error", 500: "api_error", 529: "overloaded_error"}  # fmt: skip


class FakeClaude(FakeProvider):
    name = "claude"
    completion_path = "/v1/messages"
    secret_headers = ("x-api-key", "authorization")

    def __init__(self, api_key: str, *, port: int = 0) -> None:
        super().__init__(port=port)
        self.api_key = api_key

    @property
    def admin_key(self) -> str:
        return self.api_key

    def authorized(self, path: str, headers: Mapping[str, str]) -> bool:
        return _same(headers.get("x-api-key", ""), self.api_key)

    def error_body(self, status: int, message: str) -> Any:
        kind = _ANTHROPIC_ERRORS.get(status, "api_error")
        return {"type": "error", "error": {"type": kind, "message": message}, "request_id": f"req_{uuid.uuid4().hex}"}

    def handle(self, path: str, headers: Mapping[str, str], body: Any, raw: bytes) -> tuple[int, Any]:
        if path != self.completion_path:
            return 404, self.error_body(404, "Not Found")
        if headers.get("anthropic-version") != "2023-06-01":
            return 400, self.error_body(400, "anthropic-version: header is required")
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
            return 400, self.error_body(400, "messages: Field required")
        if not isinstance(body.get("max_tokens"), int) or not isinstance(body.get("model"), str):
            return 400, self.error_body(400, "model and max_tokens: Field required")
        messages = body["messages"]
        if messages[-1].get("role") != "user" or any(m.get("role") not in ("user", "assistant") for m in messages):
            return 400, self.error_body(400, "messages: roles must alternate and end with user")
        system = str(body.get("system", ""))
        users = [str(m.get("content", "")) for m in messages if m.get("role") == "user"]
        text = self.next_text(system, users, None)
        return 200, {
            "id": f"msg_{uuid.uuid4().hex[:24]}",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {
                "input_tokens": _tokens(system) + sum(_tokens(u) for u in users),
                "output_tokens": _tokens(text),
            },
        }


# -- process entry point ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--provider", choices=("yandexgpt", "gigachat", "claude"), required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key-file", type=Path, required=True, help="file holding the key clients must present")
    parser.add_argument("--folder-id", default="b1gfakefolder", help="YandexGPT: the folder clients must use")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    key = args.key_file.read_text().strip()
    fake: FakeProvider
    if args.provider == "yandexgpt":
        fake = FakeYandexGPT(args.folder_id, key, port=args.port)
    elif args.provider == "gigachat":
        fake = FakeGigaChat(key, port=args.port)
    else:
        fake = FakeClaude(key, port=args.port)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with fake:
        print(f"READY {fake.port}", flush=True)
        LOG.info("fake %s listening on %s%s", args.provider, fake.url, fake.completion_path)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
