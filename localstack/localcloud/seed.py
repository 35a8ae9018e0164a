"""Sample data for `make dev`, created through the public API so it travels every hop (write,
outbox, relay, projections) exactly as a user's data would. Runs only on an empty catalog."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

from localcloud.runtime import CloudState, load_secrets
from localcloud.servers import postgres

SAMPLE = Path(__file__).resolve().parents[1] / "seed" / "companies.json"


def _call(state: CloudState, method: str, path: str, body: object, token: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 - loopback URL we built
        f"{state.api_url}{path}", data=json.dumps(body).encode(), headers=headers, method=method
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return dict(json.loads(response.read() or b"{}"))


def seed_sample_data(state: CloudState, accounts: list[tuple[str, str, str]]) -> int:
    """The sample catalog, created by the demo company admin, who then belongs to the first company."""
    import psycopg

    port = state.parts["postgres"].port
    assert port is not None
    url = postgres.url(port, load_secrets()["postgres"])
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM companies").fetchone()
        if row and row[0]:
            return 0
    _, email, password = next(a for a in accounts if a[0] == "company_admin")
    token = _call(state, "POST", "/v1/auth/login", {"email": email, "password": password})["access_token"]
    created = [_call(state, "POST", "/v1/companies", c, token) for c in json.loads(SAMPLE.read_text("utf-8"))]
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE users SET company_id = %s WHERE lower(email) = lower(%s)", (created[0]["id"], email))
    print(f"  sample data {len(created)} companies", flush=True)
    return len(created)
