"""Sample data for `make dev`: the sample catalog (localcloud/catalog/companies.json), imported with
the bulk import command, so each company travels every hop after the write exactly as a user's
would (event store, outbox, relay, projections, the verification queue and the ЕГРЮЛ stand-in).
Runs only on an empty catalog."""

from __future__ import annotations

import json

from localcloud.company_import import import_companies
from localcloud.registry_setup import CATALOG
from localcloud.runtime import CloudState, load_secrets
from localcloud.servers import postgres


def seed_sample_data(state: CloudState, accounts: list[tuple[str, str, str]]) -> int:
    """The catalog; the demo company admin then belongs to its first company."""
    import psycopg

    port = state.parts["postgres"].port
    assert port is not None
    url = postgres.url(port, load_secrets()["postgres"])
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM companies").fetchone()
        if row and row[0]:
            return 0
    report = import_companies(url, json.loads(CATALOG.read_text("utf-8")))
    if report.rejected or not report.ids:
        raise RuntimeError(f"the sample catalog did not import: {report.rejected[:3]}")
    _, email, _ = next(a for a in accounts if a[0] == "company_admin")
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE users SET company_id = %s WHERE lower(email) = lower(%s)", (report.ids[0], email))
    print(f"  sample data {report.imported} companies ({report.seconds:.1f} s)", flush=True)
    return report.imported
