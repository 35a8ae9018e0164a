"""The local web origin (localcloud.servers.app_proxy) as a process: /v1 requests reach the API URL of the
cloud's state file with their method, path, query, headers and body, and its answer comes back as it was;
before the API is deployed it says so (503); a console page that messages link to names its API call."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from localcloud.process import free_port

pytestmark = pytest.mark.integration


class _Api(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"] or 0))
        _Api.seen.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        data = json.dumps({"ok": True}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Request-Id", "req-7")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    argv = [sys.executable, "-m", "localcloud.servers.app_proxy", "--port", str(port), "--state", str(tmp_path)]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == f"READY {port}"
        yield f"http://127.0.0.1:{port}", tmp_path
    finally:
        process.terminate()
        process.wait(10)


def test_requests_are_forwarded_to_the_deployed_api(proxy: tuple[str, Path]) -> None:
    origin, state = proxy
    assert httpx.post(f"{origin}/v1/x").status_code == 503  # not deployed yet
    api = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    try:
        (state / "cloud.json").write_text(
            json.dumps({"api_url": f"http://127.0.0.1:{api.server_port}/_aws/x/$default"})
        )
        answer = httpx.post(
            f"{origin}/v1/notifications/unsubscribe?token=a.b.c",
            content=b"List-Unsubscribe=One-Click",
            headers={"Authorization": "Bearer t", "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert (answer.status_code, answer.json(), answer.headers["X-Request-Id"]) == (201, {"ok": True}, "req-7")
        assert _Api.seen[-1] == {
            "path": "/_aws/x/$default/v1/notifications/unsubscribe?token=a.b.c",
            "auth": "Bearer t",
            "body": b"List-Unsubscribe=One-Click",
        }
    finally:
        api.shutdown()


def test_a_console_page_names_its_api_call(proxy: tuple[str, Path]) -> None:
    origin, _ = proxy
    page = httpx.get(f"{origin}/discoveries/8d0c7c0e-1c0a-4f55-9d1c-3e1f2b0a9c11")
    assert page.status_code == 200 and "/v1/discoveries/8d0c7c0e-1c0a-4f55-9d1c-3e1f2b0a9c11" in page.text
    assert "/v1/notifications/preferences" in httpx.get(f"{origin}/settings/notifications").text
    assert httpx.get(f"{origin}/elsewhere").status_code == 404
