"""A local SMTP server (aiosmtpd) that delivers every accepted message into a Maildir.

Why: production sends email through Yandex Cloud Postbox or Amazon SES over their SMTP interfaces; locally
and in tests the same sender (`shared.notifications.email.send`, smtplib) talks real SMTP to this server
over a socket on 127.0.0.1, and every message it accepts lands as one file in a Maildir (``new/``), byte for
byte what the client sent after DATA (RFC 5321 dot-unstuffed, CRLF kept), so `algoarts mail list|show`
(`localcloud.mail`) shows a newcomer exactly what went out. Nothing is relayed anywhere.

* AUTH PLAIN and LOGIN (aiosmtpd's built-in mechanisms) are offered, and required before MAIL, only when
  the server is given a username and a password: a client without credentials gets ``530 5.7.0
  Authentication required``, a wrong password ``535 5.7.8``. Without credentials AUTH is not offered.
* Given a ``tls_context``, STARTTLS is offered and required before anything else (AUTH only after it), as
  Postbox and SES on port 587 do; tests use it with a throwaway certificate.
* Faults for tests: ``fail_next(n, code=451, message=..., at="rcpt"|"data")`` answers the next ``n`` RCPT
  (or DATA) commands with that reply instead of accepting; ``received`` lists what was delivered
  (envelope, Maildir key, Message-ID, when), ``reset()`` forgets both.
* As a process, ``--admin-port`` adds a tiny HTTP admin on 127.0.0.1: ``POST /_fake/script`` with
  ``{"fail": 451, "n": 1, "message": "...", "at": "rcpt"}`` or ``{"reset": true}`` (204), ``GET
  /_fake/received`` (JSON list). When the server has a password, the admin wants it in
  ``X-Fake-Admin-Key`` (403 otherwise), like the other stand-ins.

Run: ``python -m localcloud.servers.smtp --port P --maildir DIR [--username U --password-file F]
[--admin-port A]``; prints ``READY <port>`` and serves until SIGTERM. The password is never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import email.parser
import email.policy
import hmac
import json
import logging
import mailbox
import socket
import ssl
import sys
import threading
import time
import warnings
from collections import deque
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from localcloud.servers.standin import StandInHTTPServer, configure_logging, read_secret, serve_until_signal

LOG = logging.getLogger("smtp_fake")


def _not_a_known_aiosmtpd_warning(record: logging.LogRecord) -> bool:
    # aiosmtpd 1.4 logs these on every connection: AUTH offered without TLS (the intended set-up on loopback,
    # see LocalSmtpServer._protocol) and its own use of the deprecated Session.login_data. Repeated per
    # message, they would bury the server's own log.
    text = record.getMessage()
    return "auth_require_tls == False" not in text and "login_data is deprecated" not in text


logging.getLogger("mail.log").addFilter(_not_a_known_aiosmtpd_warning)

HOST = "127.0.0.1"
ADMIN_PATH = "/_fake/script"
RECEIVED_PATH = "/_fake/received"
MAX_ADMIN_BODY = 16 * 1024
DATA_SIZE_LIMIT = 32 * 1024 * 1024  # aiosmtpd's default (advertised as SIZE)
Stage = Literal["rcpt", "data"]
_DEFAULT_TEXT = {4: "4.3.0 Temporary failure, try again later", 5: "5.7.1 Message rejected"}


@dataclass(frozen=True)
class Received:
    """One delivered message as the server saw it: its envelope, where it lies, and when it was accepted."""

    key: str  # the Maildir key (the file name under new/): the id `algoarts mail show` takes
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message_id: str | None
    subject: str | None
    authenticated_as: str | None
    accepted_at: float  # time.time() when DATA was accepted (event -> email latency is measured up to here)


@dataclass(frozen=True)
class _Fault:
    code: int
    message: str


@dataclass
class _State:
    maildir: mailbox.Maildir
    username: str | None
    password: str | None
    lock: threading.Lock = field(default_factory=threading.Lock)
    faults: dict[str, deque[_Fault]] = field(default_factory=lambda: {"rcpt": deque(), "data": deque()})
    received: list[Received] = field(default_factory=list)

    def next_fault(self, stage: Stage) -> _Fault | None:
        with self.lock:
            queue = self.faults[stage]
            return queue.popleft() if queue else None


class _Handler:
    """aiosmtpd's handler hooks: scripted faults at RCPT and DATA, delivery into the Maildir."""

    def __init__(self, state: _State) -> None:
        self._state = state

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        fault = self._state.next_fault("rcpt")
        if fault is not None:
            LOG.info("RCPT %s: injected %d", address, fault.code)
            return f"{fault.code} {fault.message}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        fault = self._state.next_fault("data")
        if fault is not None:
            LOG.info("DATA: injected %d", fault.code)
            return f"{fault.code} {fault.message}"
        raw = envelope.original_content or b""
        # Blocking file I/O on the loop: a local server with one writer at a time, a few KB per message.
        key = self._state.maildir.add(raw)
        headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        received = Received(
            key=key,
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            message_id=_header(headers, "Message-ID"),
            subject=_header(headers, "Subject"),
            authenticated_as=login.decode("utf-8", "replace") if isinstance(login, bytes) else None,
            accepted_at=time.time(),
        )
        with self._state.lock:
            self._state.received.append(received)
        LOG.info("delivered %s to %s (%d bytes)", key, ", ".join(envelope.rcpt_tos), len(raw))
        return f"250 2.0.0 OK queued as {key}"


def _header(headers: email.message.Message, name: str) -> str | None:
    value = headers.get(name)
    return str(value) if value is not None else None


class _Authenticator:
    """Accepts exactly the configured username and password (PLAIN or LOGIN), compared in constant time."""

    def __init__(self, state: _State) -> None:
        self._state = state

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        username, password = self._state.username, self._state.password
        if not isinstance(auth_data, LoginPassword) or username is None or password is None:
            return AuthResult(success=False, handled=False)
        ok = hmac.compare_digest(auth_data.login, username.encode("utf-8")) & hmac.compare_digest(
            auth_data.password, password.encode("utf-8")
        )
        if not ok:
            LOG.info("AUTH %s refused for %r", mechanism, auth_data.login.decode("utf-8", "replace"))
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


class LocalSmtpServer:
    """The SMTP server on 127.0.0.1 in a daemon thread with its own event loop: ``start()``, ``port``,
    ``maildir``, ``stop()``; a context manager too."""

    def __init__(
        self,
        maildir: Path,
        *,
        port: int = 0,
        username: str | None = None,
        password: str | None = None,
        hostname: str = "smtp.algoarts.local",
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        if (username is None) != (password is None) or username == "" or password == "":
            raise ValueError("give both a username and a password, or neither")
        self._maildir_path = Path(maildir)
        # mailbox.Maildir(create=True) makes tmp/new/cur only when the folder itself is new: an existing empty
        # folder (a fresh state dir, pytest's tmp_path) would fail every delivery.
        for sub in ("tmp", "new", "cur"):
            (self._maildir_path / sub).mkdir(parents=True, exist_ok=True)
        self._state = _State(
            maildir=mailbox.Maildir(self._maildir_path, create=True), username=username, password=password
        )
        self._port = port
        self._hostname = hostname
        self._tls_context = tls_context
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            return self
        loop = asyncio.new_event_loop()
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                self._server = loop.run_until_complete(
                    loop.create_server(self._protocol, host=HOST, port=self._port, reuse_address=True)
                )
            except BaseException as exc:  # reported to start()'s caller below
                failure.append(exc)
                started.set()
                loop.close()
                return
            started.set()
            try:
                loop.run_forever()
            finally:
                loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="local-smtp", daemon=True)
        self._thread.start()
        started.wait(10)
        if failure:
            self._thread.join(5)
            self._loop = self._thread = None
            raise failure[0]
        return self

    def stop(self) -> None:
        loop, server, thread = self._loop, self._server, self._thread
        self._loop = self._server = self._thread = None
        if loop is None or server is None:
            return

        async def close() -> None:
            server.close()
            # Open sessions (a client that never said QUIT) would keep wait_closed() waiting: drop them.
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()
            await asyncio.sleep(0)

        asyncio.run_coroutine_threadsafe(close(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _protocol(self) -> SMTP:
        auth = self._state.username is not None
        with warnings.catch_warnings():
            # aiosmtpd warns that AUTH without TLS exposes the password. It does, on a network; this server
            # binds 127.0.0.1 only, so the credentials never leave the machine, and a local certificate would
            # make every client skip verification (worse than no TLS). The sender still refuses to send
            # credentials in the clear to anything but loopback.
            warnings.simplefilter("ignore", UserWarning)
            return SMTP(
                _Handler(self._state),
                hostname=self._hostname,
                data_size_limit=DATA_SIZE_LIMIT,
                enable_SMTPUTF8=True,
                decode_data=False,
                # With a TLS context (tests of production's STARTTLS path) STARTTLS is required first.
                tls_context=self._tls_context,
                require_starttls=self._tls_context is not None,
                auth_required=auth,
                # False: offer AUTH over plaintext (loopback only, see above). Without credentials AUTH is
                # not offered at all (require TLS that never comes); with TLS, only after STARTTLS.
                auth_require_tls=not auth or self._tls_context is not None,
                authenticator=_Authenticator(self._state) if auth else None,
                loop=self._loop,
            )

    # -- properties and scripting ----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the SMTP server is not running")
        sockets = self._server.sockets
        return int(sockets[0].getsockname()[1])

    @property
    def host(self) -> str:
        return HOST

    @property
    def maildir(self) -> Path:
        """The Maildir folder (cur/, new/, tmp/) messages are delivered into."""
        return self._maildir_path

    def fail_next(self, n: int, code: int = 451, message: str | None = None, *, at: Stage = "rcpt") -> None:
        """Answer the next ``n`` RCPT (or DATA, ``at="data"``) commands with ``code`` and ``message``."""
        if not 400 <= code <= 599:
            raise ValueError("an SMTP failure code is 4xx or 5xx")
        if at not in ("rcpt", "data"):
            raise ValueError("at is 'rcpt' or 'data'")
        text = message or _DEFAULT_TEXT[code // 100]
        with self._state.lock:
            self._state.faults[at].extend(_Fault(code, text) for _ in range(n))

    def reset(self) -> None:
        """Forget pending faults and the received list (the Maildir is left as it is)."""
        with self._state.lock:
            for queue in self._state.faults.values():
                queue.clear()
            self._state.received.clear()

    @property
    def received(self) -> list[Received]:
        with self._state.lock:
            return list(self._state.received)

    @property
    def admin_key(self) -> str | None:
        return self._state.password


# -- the admin HTTP port (process mode) ---------------------------------------------------------------------


class _AdminServer(StandInHTTPServer):
    smtp: LocalSmtpServer


class _AdminHandler(BaseHTTPRequestHandler):
    server: _AdminServer
    protocol_version = "HTTP/1.1"
    server_version = "local-smtp-admin/1"

    def log_message(self, format: str, *args: Any) -> None:
        LOG.debug("admin %s " + format, self.address_string(), *args)

    def _allowed(self) -> bool:
        key = self.server.smtp.admin_key
        if key is None:
            return True
        given = self.headers.get("X-Fake-Admin-Key") or ""
        return hmac.compare_digest(given.encode("utf-8"), key.encode("utf-8"))

    def do_GET(self) -> None:
        if self.path.split("?")[0] != RECEIVED_PATH:
            self._send(404, {"error": "not found"})
        elif not self._allowed():
            self._send(403, {"error": "admin key required"})
        else:
            self._send(200, [asdict(r) for r in self.server.smtp.received])

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if 0 < length <= MAX_ADMIN_BODY else b""
        if self.path != ADMIN_PATH:
            self._send(404, {"error": "not found"})
            return
        if not self._allowed():
            self._send(403, {"error": "admin key required"})
            return
        try:
            body = json.loads(raw or b"{}")
            if body.get("reset"):
                self.server.smtp.reset()
            else:
                self.server.smtp.fail_next(
                    int(body.get("n", 1)), int(body["fail"]), body.get("message"), at=body.get("at", "rcpt")
                )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self._send(400, {"error": f"bad script: {exc}"})
            return
        self._send(204, None)

    def _send(self, status: int, body: Any) -> None:
        payload = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def is_ready(port: int) -> bool:
    """True when something on 127.0.0.1:port greets like an SMTP server (a 220 banner)."""
    try:
        with socket.create_connection((HOST, port), timeout=1.0) as sock:
            banner = sock.recv(512)
            sock.sendall(b"QUIT\r\n")
            return banner.startswith(b"220")
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(description="Local SMTP server delivering into a Maildir")
    parser.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--maildir", type=Path, required=True, help="the Maildir folder (created when missing)")
    parser.add_argument("--username", help="require AUTH with this username (needs --password-file)")
    parser.add_argument("--password-file", type=Path, help="file holding the password AUTH must present")
    parser.add_argument("--admin-port", type=int, help="serve the scripting admin over HTTP on this port")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    if (args.username is None) != (args.password_file is None):
        parser.error("--username and --password-file go together")
    password = read_secret(parser, args.password_file) if args.password_file else None
    smtp = LocalSmtpServer(args.maildir, port=args.port, username=args.username, password=password).start()
    admin: _AdminServer | None = None
    if args.admin_port is not None:
        admin = _AdminServer((HOST, args.admin_port), _AdminHandler)
        admin.smtp = smtp
        threading.Thread(target=admin.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()

    def stop() -> None:
        if admin is not None:
            admin.shutdown()
            admin.server_close()
        smtp.stop()

    LOG.info(
        "SMTP on %s:%d into %s%s%s",
        HOST,
        smtp.port,
        args.maildir,
        f", AUTH required for {args.username}" if args.username else "",
        f", admin on {HOST}:{admin.server_address[1]}" if admin else "",
    )
    return serve_until_signal(smtp.port, stop, LOG)


if __name__ == "__main__":
    sys.exit(main())
