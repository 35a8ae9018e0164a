"""What the HTTP stand-ins for outside services share: running in a thread, and running as a process.

Why: the stand-ins for DaData, Yandex's embeddings, the chat-model APIs, the Telegram Bot API and the web push
service (`dadata`, `yandex_embeddings`, `llm_providers`, `telegram`, `webpush`) each ran the same
ThreadingHTTPServer on 127.0.0.1 in a daemon thread with the same ``start()``/``stop()``, context manager,
``port`` and ``url``; and every stand-in's ``main()`` (the SMTP server's too) served until SIGTERM the same
way. One copy lives here: `ThreadedStandIn` for the first, `configure_logging`, `read_secret` and
`serve_until_signal` for the second. What each stand-in speaks stays in its own module.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import FrameType, TracebackType
from typing import Self

HOST = "127.0.0.1"


class StandInHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer whose ``server_close()`` does not wait for open connections' handler threads."""

    daemon_threads = True
    block_on_close = False


class ThreadedStandIn:
    """An HTTP server on 127.0.0.1 in a daemon thread: ``start()``, ``port``, ``url``, ``stop()``, or ``with``.

    A subclass builds its server in `_make_server` (its own handler, and whatever the handler reads from the
    server). ``stopping``, when given, is the event the stand-in's handlers wait on while they hold an answer
    back: ``start()`` clears it and ``stop()`` sets it before shutting down, so a held handler wakes at once.
    ``port=0`` picks a free port when the server starts.
    """

    def __init__(self, thread_name: str, *, port: int = 0, stopping: threading.Event | None = None) -> None:
        self._thread_name = thread_name
        self._port = port
        self._stopping = stopping
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _make_server(self, address: tuple[str, int]) -> ThreadingHTTPServer:
        """The server bound to ``address``, not yet serving."""
        raise NotImplementedError

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = self._make_server((HOST, self._port))
        if self._stopping is not None:
            self._stopping.clear()
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=self._thread_name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        if self._stopping is not None:
            self._stopping.set()  # wakes handlers held back (delay_next)
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fake is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The base URL clients are given instead of the real service's."""
        return f"http://{HOST}:{self.port}"


# -- process mode -------------------------------------------------------------------------------------------


def configure_logging(level: str) -> None:
    """Log to stderr at ``level`` (a name, any case), as every stand-in's ``--log-level`` asks."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr)


def read_secret(parser: argparse.ArgumentParser, path: Path) -> str:
    """The key or password in ``path`` (stripped); an empty file is a usage error of ``parser``."""
    secret = path.read_text(encoding="utf-8").strip()
    if not secret:
        parser.error(f"{path} is empty")
    return secret


def serve_until_signal(port: int, stop: Callable[[], None], log: logging.Logger) -> int:
    """Print ``READY <port>`` (what the parent waits for), wait for SIGTERM or SIGINT, then ``stop()``; 0."""
    done = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: shutting down", signum)
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(f"READY {port}", flush=True)
    try:
        done.wait()
    finally:
        stop()
    log.info("stopped")
    return 0
