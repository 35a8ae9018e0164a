"""Sample data for `make dev`: the sample catalog (localcloud/catalog/companies.json), imported with
the bulk import command, so each company travels every hop after the write exactly as a user's
would (event store, outbox, relay, projections, the verification queue and the ЕГРЮЛ stand-in).
Runs once per database: skipped when the catalog's first company is already there."""

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
    rows = json.loads(CATALOG.read_text("utf-8"))
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT 1 FROM companies WHERE inn = %s", (rows[0]["inn"],)).fetchone():
            return 0
    # A user's company may already hold a catalog INN: skip those rows, refuse anything else.
    report = import_companies(url, rows, skip_invalid=True)
    unexpected = [r for r in report.rejected if not r.existing_id]
    if unexpected or not report.ids:
        raise RuntimeError(f"the sample catalog did not import: {unexpected[:3]}")
    _, email, _ = next(a for a in accounts if a[0] == "company_admin")
    with psycopg.connect(url) as conn:
        conn.execute(
            "UPDATE users SET company_id = %s WHERE lower(email) = lower(%s) AND company_id IS NULL",
            (report.ids[0], email),
        )
    print(f"  sample data {report.imported} companies ({report.seconds:.1f} s)", flush=True)
    return report.imported
