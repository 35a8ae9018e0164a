"""The local web origin: one short URL on 127.0.0.1 that forwards every request to the emulator's HTTP API.

Why: in production the web console's origin (`PublicAppUrl`, e.g. https://app.algoarts.ru) routes `/v1/*`
to the API, and the links the platform sends people (a draft to review, an email's unsubscribe URL) point
at that origin. Locally the API lives at the emulator's long `/_aws/execute-api/<id>/$default` URL, known
only after the stack is deployed, while the functions must be given the origin before. So this server
starts first on a free port (that is the local `PublicAppUrl`), and forwards each request, method, path,
query, headers and body as they came, to the API URL in the cloud's state file, read on each request; the
answer comes back unchanged. Until the web console (issue 20) is served from here too, a page path that
messages link to (`/discoveries/<id>`, `/partnerships/<id>`, `/companies/<id>`, `/settings/notifications`)
answers a short page naming the API call that shows the same thing, instead of a bare 404.

Run: ``python -m localcloud.servers.app_proxy --port P --state DIR``; prints ``READY <port>``; 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import html
import json
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

HOST = "127.0.0.1"
MAX_BODY = 10 * 1024 * 1024
_CONSOLE_PAGES = {  # a console page -> the API path that answers the same question
    "discoveries": "/v1/discoveries/{}",
    "partnerships": "/v1/partnerships/{}",
    "companies": "/v1/companies/{}",
}
_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length"}


def _api_url(state_dir: Path) -> str | None:
    try:
        return str(json.loads((state_dir / "cloud.json").read_text("utf-8")).get("api_url") or "") or None
    except (OSError, ValueError):
        return None


def handler_for(state_dir: Path) -> type[BaseHTTPRequestHandler]:
    client = httpx.Client(timeout=60.0, follow_redirects=False)

    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}\n")

        def _forward(self) -> None:
            if not self.path.startswith(("/v1/", "/.well-known/")):
                self._console_placeholder()
                return
            api = _api_url(state_dir)
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._plain(413, "request body too large")
                return
            body = self.rfile.read(length) if length else b""
            if api is None:
                self._plain(503, "the API is not deployed yet: wait for `make dev` to print API:")
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
            try:
                answer = client.request(self.command, api.rstrip("/") + self.path, headers=headers, content=body)
            except httpx.HTTPError as exc:
                self._plain(502, f"the API did not answer: {type(exc).__name__}")
                return
            self.send_response(answer.status_code)
            for key, value in answer.headers.multi_items():
                if key.lower() not in _HOP and key.lower() != "content-encoding":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        def _console_placeholder(self) -> None:
            parts = [p for p in self.path.split("?", 1)[0].split("/") if p]
            api_path = "/v1/notifications/preferences" if parts[:2] == ["settings", "notifications"] else None
            if len(parts) == 2 and parts[0] in _CONSOLE_PAGES:
                api_path = _CONSOLE_PAGES[parts[0]].format(html.escape(parts[1]))
            if api_path is None:
                self._plain(404, "no such page: the web console is not built yet; the API is under /v1/")
                return
            page = (
                "<!doctype html><meta charset=utf-8><title>ALGORITHMIC ARTS</title>"
                "<p>The web console is not built yet. The same information, with your access token:</p>"
                f"<pre>curl -H 'Authorization: Bearer $TOKEN' {html.escape(api_path)}</pre>"
                f"<p>(relative to this origin: <code>{html.escape(api_path)}</code>)</p>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def _plain(self, status: int, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _forward

    return Forward


def is_ready(port: int) -> bool:
    try:
        return httpx.get(f"http://{HOST}:{port}/_proxy/ready", timeout=1.0).status_code in (200, 404, 503)
    except httpx.HTTPError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", type=Path, required=True)
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((HOST, args.port), handler_for(args.state))

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    print(f"READY {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
