"""A local stand-in for the scout's news feeds: VC.ru's (``/rss/all``) and Habr's (``/ru/rss/articles/``)
RSS 2.0, shaped like the real ones (namespaces, CDATA, Habr's utm-tagged links, guids), from the files in
``rss_feeds/``.

Why: the scout fetches the feeds over the internet; in tests and locally the same code fetches them from
this server over a real socket. ``set_feed(path, xml)`` replaces a feed (a test adds entries between two
runs); ``requests`` counts the fetches. Answers 304 to a matching ``If-None-Match`` as the real CDNs do.

Run: ``python -m localcloud.servers.rss --port P``; prints ``READY <port>`` and serves until SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from localcloud.runtime import CloudState, PartState

FEEDS_DIR = Path(__file__).with_name("rss_feeds")
PATHS = {"/rss/all": "vcru.xml", "/ru/rss/articles/": "habr.xml"}


def default_feeds() -> dict[str, str]:
    return {path: (FEEDS_DIR / name).read_text("utf-8") for path, name in PATHS.items()}


class RssStandIn:
    """The server on 127.0.0.1 in a thread; a context manager."""

    def __init__(self, port: int = 0, feeds: dict[str, str] | None = None) -> None:
        self.feeds = dict(feeds if feeds is not None else default_feeds())
        self.requests: list[str] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                stand_in.requests.append(path)
                body = stand_in.feeds.get(path)
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode()
                tag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("ETag", tag)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def feed_urls(self) -> dict[str, str]:
        """The scout's ``scout_feeds`` setting for this server."""
        return feed_urls(self.port)

    def set_feed(self, path: str, xml: str) -> None:
        self.feeds[path] = xml

    def __enter__(self) -> RssStandIn:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()


def is_ready(port: int) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/rss/all", timeout=1) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def feed_urls(port: int) -> dict[str, str]:
    return {"vcru": f"http://127.0.0.1:{port}/rss/all", "habr": f"http://127.0.0.1:{port}/ru/rss/articles/"}


def start_part(state: CloudState) -> PartState:
    """The stand-in as a process of the local cloud; the scout's `ScoutFeeds` parameter points at it."""
    import json
    import time

    from localcloud import process
    from localcloud.paths import STATE_DIR
    from localcloud.runtime import PartState

    port = process.free_port()
    log = STATE_DIR / "logs" / "rss.log"
    pid = process.spawn([sys.executable, "-m", "localcloud.servers.rss", "--port", str(port)], log)
    part = PartState(name="rss", pid=pid, port=port, url=f"127.0.0.1:{port}", log=str(log))
    state.parts["rss"] = part
    state.save()
    started = time.monotonic()
    process.wait_ready("rss", pid, log, lambda: is_ready(port), 30.0)
    print(f"  {'rss':<11} 127.0.0.1:{port}  ({time.monotonic() - started:.1f} s, VC.ru and Habr feeds)", flush=True)
    state.parameters["ScoutFeeds"] = json.dumps(feed_urls(port))
    return part


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with RssStandIn(args.port) as server:
        print(f"READY {server.port}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    sys.exit(0)


if __name__ == "__main__":
    main()
