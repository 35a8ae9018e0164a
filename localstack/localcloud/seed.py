"""Sample data for `make dev`, created through the public API so it travels every hop (write,
outbox, relay, projections) exactly as a user's data would. Runs only on an empty catalog."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from localcloud.runtime import CloudState, load_secrets
from localcloud.servers import postgres

SAMPLE = Path(__file__).resolve().parents[1] / "seed" / "companies.json"


def seed_sample_data(state: CloudState) -> int:
    import psycopg

    port = state.parts["postgres"].port
    assert port is not None
    with psycopg.connect(postgres.url(port, load_secrets()["postgres"])) as conn:
        row = conn.execute("SELECT count(*) FROM companies").fetchone()
        if row and row[0]:
            return 0
    created = 0
    for company in json.loads(SAMPLE.read_text("utf-8")):
        request = urllib.request.Request(  # noqa: S310 - loopback URL we built
            f"{state.api_url}/v1/companies",
            data=json.dumps(company).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            created += int(response.status == 201)
    print(f"  sample data {created} companies", flush=True)
    return created
