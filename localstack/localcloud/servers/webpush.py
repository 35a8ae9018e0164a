"""A local stand-in for a web push service (RFC 8030) that also plays the browser behind it.

Why: web push goes from our sender to the browser vendor's push service (FCM, Mozilla autopush, Apple) and
from there to the browser; locally and in tests the real client (`shared.notifications.webpush.send`) posts
to this server over a real socket, and the server decrypts what a browser would, so a test can compare the
payload that arrived with the one that was sent.

The push service (RFC 8030, VAPID per RFC 8292, aes128gcm per RFC 8291):

* ``POST /push/<id>`` is a subscription's push resource. Unknown id 404, expired or unsubscribed 410;
  a body over 4096 bytes 413; ``TTL`` (delta-seconds) required, else 400; ``Urgency`` one of very-low, low,
  normal, high (400 otherwise); a body needs ``Content-Encoding: aes128gcm`` (415 otherwise);
* ``Authorization: vapid t=<JWT>, k=<public key>``: the JWT must be ES256, verify under ``k`` (an uncompressed
  P-256 point), have ``aud`` = this service's origin, ``exp`` in the future and no more than 24 h away, and
  ``sub`` a ``mailto:`` or ``https:`` URI; otherwise 401 with ``WWW-Authenticate: vapid``. A subscription made
  with an ``applicationServerKey`` is restricted to it: another ``k`` is 403;
* accepted: 201 Created, ``Location: /m/<message id>`` and the ``TTL`` kept. Errors carry autopush's JSON
  body ``{"code", "errno", "error", "message"}``.

The browser: ``POST /_fake/subscriptions`` (body ``{"applicationServerKey"?: base64url}``) makes a user
agent key pair and 16-byte auth secret and answers the PushSubscription JSON a browser gives
(``{"endpoint", "expirationTime": null, "keys": {"p256dh", "auth"}}``). Every accepted message is
decrypted with the subscription's private key (http_ece, RFC 8291: one record, the sender's key as keyid);
one that does not decrypt is refused with 400 (a real service would take it and the browser drop it in
silence; here the mistake shows). ``GET /_fake/subscriptions/<id>/messages`` lists what arrived,
``POST /_fake/subscriptions/<id>/expire`` (or ``DELETE /_fake/subscriptions/<id>``) makes it 410,
``POST /_fake/script`` takes ``{"fail": 429|5xx, "n": 1, "retry_after": 2}`` or ``{"reset": true}``. The
admin paths are open: the server only listens on 127.0.0.1. In process: ``subscribe()``, ``messages()``,
``expire()``, ``fail_next()``, ``reset()``.

Accepted messages are appended to ``--log FILE`` as JSON lines. Run: ``python -m localcloud.servers.webpush
--port P [--log FILE]``; prints ``READY <port>`` and serves until SIGTERM.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import logging
import re
import secrets
import struct
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import http_ece  # type: ignore[import-untyped]
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from localcloud.servers.standin import StandInHTTPServer, ThreadedStandIn, configure_logging, serve_until_signal

LOG = logging.getLogger("webpush_fake")

HOST = "127.0.0.1"
MAX_PAYLOAD = 4096  # RFC 8291 section 4: a push service accepts at least 4096 bytes of body
MAX_READ = 64 * 1024
MAX_JWT_LIFETIME_S = 24 * 3600
KEYID_LEN = 65
_URGENCIES = ("very-low", "low", "normal", "high")
_SUB = re.compile(r"^(mailto:[^@\s]+@[^@\s]+|https://[^\s/]+\S*)$")
_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    410: "Gone",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
_ERRNO = {400: 101, 401: 109, 403: 109, 404: 102, 410: 103, 413: 104, 415: 110, 429: 201, 500: 999, 503: 202}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(value: str) -> bytes:
    value = value.strip()
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


class PushError(Exception):
    """An error answer of the push service."""

    def __init__(self, status: int, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return {
            "code": self.status,
            "errno": _ERRNO.get(self.status, 999),
            "error": _REASONS.get(self.status, "Error"),
            "message": self.message,
        }


@dataclass
class Subscription:
    """One browser subscription: the user agent's private key and auth secret stay here."""

    id: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    application_server_key: bytes | None = None
    gone: bool = False

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)


@dataclass(frozen=True)
class PushMessage:
    """One accepted push message as the browser got it: ``payload`` is the decrypted text (``data`` its JSON)."""

    id: str
    subscription: str
    received_at: float
    ttl: int
    urgency: str
    topic: str | None
    payload: str
    data: Any
    vapid_sub: str | None


@dataclass
class _Fault:
    status: int
    retry_after: float | None = None


@dataclass
class _State:
    log_file: Path | None
    lock: threading.Lock = field(default_factory=threading.Lock)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    messages: list[PushMessage] = field(default_factory=list)
    failures: deque[_Fault] = field(default_factory=deque)


class FakePushService(ThreadedStandIn):
    """The push service and its browsers on 127.0.0.1 in a daemon thread: ``start()``, ``url``, ``stop()``.

    ``url`` is this push service's origin (what a VAPID token's ``aud`` must be).
    """

    def __init__(self, *, log_file: Path | None = None, port: int = 0) -> None:
        self._state = _State(log_file)
        super().__init__("fake-webpush", port=port)

    def _make_server(self, address: tuple[str, int]) -> _Server:
        server = _Server(address, _Handler)
        server.fake = self
        return server

    # -- the browser -------------------------------------------------------------------------------------------

    def subscribe(self, application_server_key: str | None = None) -> dict[str, Any]:
        """A new subscription, as ``PushSubscription.toJSON()`` gives it (restricted to the key if given)."""
        restricted = None
        if application_server_key:
            restricted = unb64url(application_server_key)
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), restricted)  # ValueError if not a key
        sub = Subscription(
            uuid.uuid4().hex, ec.generate_private_key(ec.SECP256R1()), secrets.token_bytes(16), restricted
        )
        with self._state.lock:
            self._state.subscriptions[sub.id] = sub
        return self.subscription_json(sub.id)

    def subscription_json(self, subscription_id: str) -> dict[str, Any]:
        with self._state.lock:
            sub = self._state.subscriptions[subscription_id]
        return {
            "endpoint": f"{self.url}/push/{sub.id}",
            "expirationTime": None,
            "keys": {"p256dh": sub.p256dh, "auth": b64url(sub.auth)},
        }

    def expire(self, subscription_id: str) -> None:
        """The subscription expires or the user unsubscribes: pushes to it are 410 from now on."""
        with self._state.lock:
            self._state.subscriptions[subscription_id].gone = True

    def messages(self, subscription_id: str | None = None) -> list[PushMessage]:
        with self._state.lock:
            return [m for m in self._state.messages if subscription_id is None or m.subscription == subscription_id]

    def fail_next(self, n: int, status: int = 503, *, retry_after: float | None = None) -> None:
        """Answer the next ``n`` pushes with ``status`` (and Retry-After), before anything is checked."""
        with self._state.lock:
            self._state.failures.extend(_Fault(status, retry_after) for _ in range(n))

    def reset(self) -> None:
        with self._state.lock:
            self._state.failures.clear()
            self._state.messages.clear()

    # -- the push service -------------------------------------------------------------------------------------

    def push(self, subscription_id: str, headers: Mapping[str, str], body: bytes) -> PushMessage:
        """Accept one push message (RFC 8030 section 5) or raise `PushError` as the service answers."""
        with self._state.lock:
            sub = self._state.subscriptions.get(subscription_id)
        if sub is None:
            raise PushError(404, "no such subscription")
        if sub.gone:
            raise PushError(410, "the subscription has expired or was unsubscribed")
        if len(body) > MAX_PAYLOAD:
            raise PushError(413, f"the body is {len(body)} bytes, more than {MAX_PAYLOAD}")
        ttl_header = headers.get("ttl")
        if ttl_header is None or not ttl_header.strip().isdigit():
            raise PushError(400, "a TTL header (delta-seconds) is required")
        urgency = headers.get("urgency", "normal").strip().lower()
        if urgency not in _URGENCIES:
            raise PushError(400, f"Urgency must be one of {', '.join(_URGENCIES)}")
        if body and headers.get("content-encoding", "").strip().lower() != "aes128gcm":
            raise PushError(415, "Content-Encoding must be aes128gcm (RFC 8291)")
        vapid_sub = self._check_vapid(sub, headers.get("authorization", ""))
        payload = _decrypt(sub, body) if body else ""
        try:
            data = json.loads(payload) if payload else None
        except ValueError:
            data = None
        message = PushMessage(
            id=uuid.uuid4().hex,
            subscription=sub.id,
            received_at=time.time(),
            ttl=min(int(ttl_header), 2_419_200),  # 28 days: what the service keeps at most
            urgency=urgency,
            topic=headers.get("topic"),
            payload=payload,
            data=data,
            vapid_sub=vapid_sub,
        )
        with self._state.lock:
            self._state.messages.append(message)
            self._log(message)
        return message

    def _check_vapid(self, sub: Subscription, authorization: str) -> str | None:
        """RFC 8292: the ``vapid`` scheme's token and key; the claims' ``sub``."""
        challenge = {"WWW-Authenticate": "vapid"}
        scheme, _, rest = authorization.strip().partition(" ")
        if scheme.lower() != "vapid":
            raise PushError(401, "Authorization must use the vapid scheme (RFC 8292)", headers=challenge)
        params = {}
        for part in rest.split(","):
            name, _, value = part.strip().partition("=")
            params[name.strip().lower()] = value.strip()
        token, key = params.get("t"), params.get("k")
        if not token or not key:
            raise PushError(401, "the vapid scheme needs t and k", headers=challenge)
        try:
            raw_key = unb64url(key)
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw_key)
        except (ValueError, binascii.Error):
            raise PushError(401, "k is not an uncompressed P-256 public key", headers=challenge) from None
        if sub.application_server_key is not None and raw_key != sub.application_server_key:
            raise PushError(403, "the subscription is restricted to another application server key")
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != "ES256":
                raise PushError(401, "the token must be signed with ES256", headers=challenge)
            claims = jwt.decode(
                token,
                key=public,
                algorithms=["ES256"],
                audience=self.url,
                options={"require": ["aud", "exp"]},
            )
        except jwt.ExpiredSignatureError:
            raise PushError(401, "the token has expired", headers=challenge) from None
        except jwt.InvalidAudienceError:
            raise PushError(401, f"the token's aud must be {self.url}", headers=challenge) from None
        except jwt.PyJWTError as exc:
            raise PushError(401, f"invalid token: {exc}", headers=challenge) from None
        if int(claims["exp"]) > time.time() + MAX_JWT_LIFETIME_S:
            raise PushError(401, "the token's exp is more than 24 hours away", headers=challenge)
        subject = claims.get("sub")
        if not isinstance(subject, str) or not _SUB.match(subject):
            raise PushError(401, "the token's sub must be a mailto: or https: URI", headers=challenge)
        return subject

    def _log(self, message: PushMessage) -> None:
        if self._state.log_file is None:
            return
        try:
            with self._state.log_file.open("a", encoding="utf-8") as log:
                log.write(json.dumps(asdict(message), ensure_ascii=False) + "\n")
        except OSError as exc:
            LOG.warning("cannot append to the message log: %s", exc)


def _decrypt(sub: Subscription, body: bytes) -> str:
    """What the browser reads: RFC 8291 aes128gcm with one record and the sender's public key as keyid."""
    if len(body) < 21:
        raise PushError(400, "the body is shorter than an aes128gcm header")
    record_size, id_len = struct.unpack("!IB", body[16:21])
    if id_len != KEYID_LEN:
        raise PushError(400, "the keyid must be the sender's 65-byte P-256 public key (RFC 8291)")
    if len(body) - 21 - id_len > record_size:
        raise PushError(400, "a push message must be a single record (RFC 8291)")
    try:
        plain: bytes = http_ece.decrypt(body, private_key=sub.private_key, auth_secret=sub.auth, version="aes128gcm")
        return plain.decode("utf-8")
    except (http_ece.ECEException, ValueError) as exc:
        raise PushError(400, f"the message does not decrypt with the subscription's keys: {exc}") from None


# -- HTTP ------------------------------------------------------------------------------------------------------


class _Server(StandInHTTPServer):
    fake: FakePushService


_SUBSCRIPTION = re.compile(r"^/_fake/subscriptions/(?P<id>[0-9a-f]{32})(?P<rest>/messages|/expire)?$")
_PUSH = re.compile(r"^/push/(?P<id>[^/]+)$")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "fake-webpush/1"

    def log_message(self, format: str, *args: Any) -> None:
        LOG.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        raw = self._read_body()
        if raw is None:
            return
        path = self.path.split("?", 1)[0]
        try:
            if path.startswith("/_fake/"):
                self._admin(path, raw)
                return
            match = _PUSH.match(path)
            if match is None or self.command != "POST":
                raise PushError(404 if match is None else 405, "Not Found")
            fake = self.server.fake
            with fake._state.lock:
                fault = fake._state.failures.popleft() if fake._state.failures else None
            if fault is not None:
                extra = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
                raise PushError(fault.status, "injected failure", headers=extra)
            headers = {k.lower(): v for k, v in self.headers.items()}
            message = fake.push(match.group("id"), headers, raw)
        except PushError as exc:
            self._json(exc.status, exc.body(), exc.headers)
            return
        self._empty(201, {"Location": f"/m/{message.id}", "TTL": str(message.ttl)})

    def _admin(self, path: str, raw: bytes) -> None:  # noqa: PLR0912 - one branch per admin path
        fake = self.server.fake
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            raise PushError(400, "the body is not JSON") from None
        if path == "/_fake/subscriptions" and self.command == "POST":
            key = body.get("applicationServerKey") if isinstance(body, dict) else None
            try:
                self._json(201, fake.subscribe(key if isinstance(key, str) else None))
            except (ValueError, binascii.Error):
                raise PushError(400, "applicationServerKey is not a P-256 public key") from None
            return
        if path == "/_fake/script" and self.command == "POST" and isinstance(body, dict):
            if body.get("reset") is True:
                fake.reset()
            elif isinstance(body.get("fail"), int) and isinstance(body.get("n", 1), int):
                retry = body.get("retry_after")
                fake.fail_next(int(body.get("n", 1)), body["fail"], retry_after=float(retry) if retry else None)
            else:
                raise PushError(400, "unknown script command")
            self._empty(204)
            return
        match = _SUBSCRIPTION.match(path)
        if match is None:
            raise PushError(404, "Not Found")
        sub_id, rest = match.group("id"), match.group("rest")
        try:
            if rest == "/messages" and self.command == "GET":
                self._json(200, {"messages": [asdict(m) for m in fake.messages(sub_id)]})
            elif (rest == "/expire" and self.command == "POST") or (rest is None and self.command == "DELETE"):
                fake.expire(sub_id)
                self._empty(204)
            elif rest is None and self.command == "GET":
                self._json(200, fake.subscription_json(sub_id))
            else:
                raise PushError(404, "Not Found")
        except KeyError:
            raise PushError(404, "no such subscription") from None

    def _read_body(self) -> bytes | None:
        value = self.headers.get("Content-Length") or "0"
        length = int(value) if value.isdigit() else -1
        if length < 0 or length > MAX_READ:
            self._json(413, PushError(413, "the body is too large").body(), close=True)
            return None
        return self.rfile.read(length) if length else b""

    def _empty(self, status: int, headers: Mapping[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

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
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


# -- process entry point --------------------------------------------------------------------------------------


def is_ready(port: int) -> bool:
    """True when something on 127.0.0.1:port answers like this server (404 JSON for an unknown push resource)."""
    import http.client

    conn = http.client.HTTPConnection(HOST, port, timeout=1.0)
    try:
        conn.request("POST", "/push/none", body=b"", headers={"TTL": "0"})
        response = conn.getresponse()
        body = response.read()
        return response.status == 404 and b'"errno"' in body
    except OSError:
        return False
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    """Serve the fake until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(description="Local stand-in for a web push service (RFC 8030 + VAPID)")
    parser.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--log", type=Path, help="append every accepted message to this file, one JSON line each")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    fake = FakePushService(log_file=args.log, port=args.port).start()
    LOG.info("push service on %s/push/<id>; subscriptions at POST %s/_fake/subscriptions", fake.url, fake.url)
    return serve_until_signal(fake.port, fake.stop, LOG)


if __name__ == "__main__":
    sys.exit(main())
