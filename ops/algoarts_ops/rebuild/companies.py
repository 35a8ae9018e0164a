"""`algoarts rebuild companies`: each aggregate's `companies` row overwritten with its folded state.

A batch at a time, each in its own transaction that locks the batch's rows first, so a command on one
of these companies is serialised with the rebuild: it committed before (and its event is folded here)
or it waits and then writes its newer state. Unique values (slug, INN, OGRN) held by the wrong row are
taken back for their owner; rows without events are not event-sourced and are left alone.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from algoarts_ops.progress import ProgressFactory, no_progress
from algoarts_ops.rebuild.report import RebuildReport, count_folded
from shared import rebuild as replay
from shared.companies import store
from shared.companies.aggregate import CompanyState
from shared.db import connect

if TYPE_CHECKING:
    import psycopg

CONFLICT_SLUG_PREFIX = "~rebuild-"  # a row that held another aggregate's slug gets "~rebuild-<its id>"
_DEADLOCK_RETRIES = 3

_ROW_HASH = f"md5(ROW({store.VIEW_COLUMNS}, deleted_at)::text)"


def rebuild_companies(
    database_url: str,
    *,
    batch: int = replay.DEFAULT_BATCH,
    use_snapshots: bool = True,
    progress: ProgressFactory = no_progress,
) -> RebuildReport:
    """Overwrite each aggregate's `companies` row with its folded state, a locked batch at a time."""
    started = time.perf_counter()
    report = RebuildReport("companies", "postgres table companies")
    with connect(database_url) as conn:
        conn.autocommit = True  # each batch is its own transaction below
        bar = progress("rebuild companies", replay.count_aggregates(conn))
        try:
            for ids in replay.aggregate_id_batches(conn, batch):
                states = _retry_deadlocks(functools.partial(_companies_batch, conn, ids, use_snapshots, report))
                count_folded(report, states)
                bar.update(len(ids))
        finally:
            bar.close()
        row = conn.execute(
            "SELECT count(*) AS n FROM companies c "
            "WHERE NOT EXISTS (SELECT 1 FROM company_events e WHERE e.aggregate_id = c.id)"
        ).fetchone()
        report.orphans = int(cast(dict[str, Any], row)["n"]) if row else 0
    if report.orphans:
        report.notes.append(f"{report.orphans} rows have no events (not event-sourced): left as they are")
    report.seconds = time.perf_counter() - started
    return report


def _companies_batch(
    conn: psycopg.Connection, ids: list[str], use_snapshots: bool, report: RebuildReport
) -> list[CompanyState]:
    with conn.transaction():
        # Lock first, then fold: a command on one of these companies either committed before (and its
        # event is folded here) or waits for this transaction and then writes its newer state.
        conn.execute("SELECT id FROM companies WHERE id = ANY(%s::uuid[]) ORDER BY id FOR UPDATE", (ids,))
        before = _row_hashes(conn, ids)
        states = replay.fold_many(conn, ids, use_snapshots=use_snapshots)
        conflicts = _clear_conflicts(conn, states)
        for state in states:
            store.save(conn, state)
        conn.execute(
            "INSERT INTO company_slugs (slug, company_id) SELECT * FROM unnest(%s::text[], %s::uuid[]) "
            "ON CONFLICT DO NOTHING",
            ([s.fields["slug"] for s in states], [s.id for s in states]),
        )
        after = _row_hashes(conn, ids)
    report.conflicts += conflicts
    report.written += len(states)
    report.missing += sum(1 for company_id in after if company_id not in before)
    report.repaired += sum(1 for company_id, digest in after.items() if before.get(company_id) != digest)
    return states


def _row_hashes(conn: psycopg.Connection, ids: list[str]) -> dict[str, str]:
    rows = conn.execute(
        f"SELECT id::text AS id, {_ROW_HASH} AS h FROM companies WHERE id = ANY(%s::uuid[])", (ids,)
    ).fetchall()
    return {cast(dict[str, Any], r)["id"]: cast(dict[str, Any], r)["h"] for r in rows}


def _clear_conflicts(conn: psycopg.Connection, states: Sequence[CompanyState]) -> int:
    """Rows that hold a unique value (slug; INN, OGRN of a live company) one of `states` owns give it up.

    The event store never gives one value to two aggregates (slugs are claimed for good, INN/OGRN are
    unique among live companies), so such a row is a corrupted one, rewritten when its turn comes, or
    one without events.
    """
    ids = [s.id for s in states]
    cleared = 0
    slugs = [s.fields.get("slug") for s in states]
    cur = conn.execute(
        "UPDATE companies c SET slug = %s || c.id::text FROM unnest(%s::text[], %s::uuid[]) AS w(v, id) "
        "WHERE c.slug = w.v AND c.id <> w.id",
        (CONFLICT_SLUG_PREFIX, slugs, ids),
    )
    cleared += max(cur.rowcount, 0)
    for column in ("inn", "ogrn"):
        values = [s.fields.get(column) if not s.deleted else None for s in states]
        cur = conn.execute(
            f"UPDATE companies c SET {column} = NULL FROM unnest(%s::text[], %s::uuid[]) AS w(v, id) "
            f"WHERE c.{column} = w.v AND c.id <> w.id AND c.deleted_at IS NULL",
            (values, ids),
        )
        cleared += max(cur.rowcount, 0)
    return cleared


def _retry_deadlocks[T](run: Callable[[], T]) -> T:
    from psycopg import errors

    for attempt in range(_DEADLOCK_RETRIES):
        try:
            return run()
        except (errors.DeadlockDetected, errors.SerializationFailure):
            if attempt == _DEADLOCK_RETRIES - 1:
                raise
            time.sleep(0.1 * (attempt + 1))
    raise AssertionError("unreachable")
