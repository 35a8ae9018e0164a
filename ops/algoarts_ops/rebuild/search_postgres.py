"""`algoarts rebuild search` on Postgres: `company_search_new` built beside the live table, swapped in by name.

The new table is an empty copy of the live one (columns, defaults, checks, primary key, triggers,
grants), filled from the event store with the projection's own upsert, indexed once after the load,
then caught up on events appended meanwhile and renamed over the live table in one short transaction
that waits at most SWAP_LOCK_TIMEOUT for its lock. What other writers put in the live table's own
columns (the embedding) is carried over; on any failure the new table is dropped and the live one is
as it was.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from algoarts_ops.progress import ProgressFactory, no_progress
from algoarts_ops.rebuild.report import RebuildReport, count_folded
from shared import rebuild as replay
from shared.db import connect
from shared.rebuild import RebuildError, View

if TYPE_CHECKING:
    import psycopg

SEARCH_TABLE = "company_search"
SEARCH_TABLE_NEW = "company_search_new"
SWAP_LOCK_TIMEOUT = "10s"  # how long the search table swap waits for its lock before giving up


def _search_upsert_sql(table: str) -> str:
    """The projection's own upsert (PostgresIndex), aimed at `table`: the rebuilt rows are the projected ones."""
    from shared.search.postgres_index import _UPSERT

    sql, replaced = re.subn(rf"\b{SEARCH_TABLE}\b", table, _UPSERT)
    if not replaced:
        raise RebuildError(f"the search projection's SQL does not name {SEARCH_TABLE}")
    return sql


def _search_params(view: View) -> dict[str, Any]:
    company = view.company
    return {
        "id": company.id,
        "version": company.version,
        "name": company.name,
        "industry": company.industry,
        "description": company.description,
        "doc": company.model_dump_json(),
        "deleted": view.deleted,
    }


@dataclass(frozen=True)
class _TableIndex:
    name: str
    definition: str  # pg_get_indexdef
    constraint: str | None  # the constraint's definition when the index backs one (the primary key)

    def temporary_name(self) -> str:
        return f"{self.name[:59]}_new"


def _table_indexes(conn: psycopg.Connection, table: str) -> list[_TableIndex]:
    rows = conn.execute(
        "SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition, pg_get_constraintdef(c.oid) AS constraint "
        "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid "
        "WHERE x.indrelid = %s::regclass ORDER BY i.relname",
        (table,),
    ).fetchall()
    return [_TableIndex(**cast(dict[str, Any], r)) for r in rows]


_INDEX_DEF = re.compile(r"^(CREATE (?:UNIQUE )?INDEX) (\S+) ON (?:ONLY )?(\S+) (USING .*)$", re.DOTALL)


def _index_on(index: _TableIndex, table: str) -> str:
    """`index`'s definition for `table` under its temporary name."""
    match = _INDEX_DEF.match(index.definition)
    if match is None:
        raise RebuildError(f"cannot read the definition of index {index.name}: {index.definition}")
    create, _, _, rest = match.groups()
    return f"{create} {_quote(index.temporary_name())} ON {table} {rest}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_TRIGGER_DEF = re.compile(r"^(CREATE (?:CONSTRAINT )?TRIGGER \S+ .*? ON )(?:ONLY )?(\S+)( .*)$", re.DOTALL)


def _triggers_on(conn: psycopg.Connection, table: str, new_table: str) -> list[str]:
    """`table`'s own triggers (e.g. the one filling a search row's embedding on insert), for `new_table`."""
    rows = conn.execute(
        "SELECT tgname, pg_get_triggerdef(oid) AS definition FROM pg_trigger "
        "WHERE tgrelid = %s::regclass AND NOT tgisinternal ORDER BY tgname",
        (table,),
    ).fetchall()
    definitions = []
    for row in rows:
        found = cast(dict[str, Any], row)
        match = _TRIGGER_DEF.match(found["definition"])
        if match is None:
            raise RebuildError(f"cannot read the definition of trigger {found['tgname']}: {found['definition']}")
        definitions.append(f"{match.group(1)}{new_table}{match.group(3)}")
    return definitions


def _other_writers_columns(conn: psycopg.Connection, table: str, upsert: str) -> list[str]:
    """Columns the projection never writes (e.g. the embedding the enrichment function copies in); generated
    columns (the filter columns computed from the document, migration 0006) are the projection's own."""
    match = re.search(r"INSERT INTO \S+ \(([^)]*)\)", upsert)
    if match is None:
        raise RebuildError("cannot read the search projection's column list")
    projected = {c.strip() for c in match.group(1).split(",")} | {"updated_at"}
    rows = conn.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
        "AND attgenerated = '' ORDER BY attnum",
        (table,),
    ).fetchall()
    return [cast(dict[str, Any], r)["attname"] for r in rows if cast(dict[str, Any], r)["attname"] not in projected]


def _grants(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT a.privilege_type AS privilege, "
        "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS grantee "
        "FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = %s::regclass AND a.grantee <> c.relowner",
        (table,),
    ).fetchall()
    return [(cast(dict[str, Any], r)["privilege"], cast(dict[str, Any], r)["grantee"]) for r in rows]


def rebuild_postgres_search(
    database_url: str,
    *,
    batch: int = replay.DEFAULT_BATCH,
    use_snapshots: bool = True,
    progress: ProgressFactory = no_progress,
) -> RebuildReport:
    """Build `company_search_new` from the event store, catch up, swap it in by name in one transaction."""
    from psycopg import errors

    started = time.perf_counter()
    report = RebuildReport("search", f"postgres table {SEARCH_TABLE}")
    upsert = _search_upsert_sql(SEARCH_TABLE_NEW)
    written: dict[str, int] = {}
    with connect(database_url) as conn:
        conn.autocommit = True
        found = conn.execute("SELECT to_regclass(%s) AS t", (SEARCH_TABLE,)).fetchone()
        if found is None or cast(dict[str, Any], found)["t"] is None:
            raise RebuildError(f"there is no {SEARCH_TABLE} table: apply the migrations first (it is built beside it)")
        indexes = _table_indexes(conn, SEARCH_TABLE)
        _create_new_search_table(conn, indexes)
        try:
            bar = progress("rebuild search", replay.count_aggregates(conn))
            try:
                for ids in replay.aggregate_id_batches(conn, batch):
                    views = replay.views_of(replay.fold_many(conn, ids, use_snapshots=use_snapshots))
                    _write_search_rows(conn, upsert, views, written)
                    count_folded(report, views)
                    bar.update(len(ids))
            finally:
                bar.close()
            for index in indexes:  # the text-search and trigram indexes: faster built once, after the load
                if not index.constraint:
                    conn.execute(_index_on(index, SEARCH_TABLE_NEW))
            conn.execute(f"ANALYZE {SEARCH_TABLE_NEW}")
            _swap_search_tables(conn, indexes, upsert, written, use_snapshots=use_snapshots, report=report)
        except errors.LockNotAvailable:
            conn.execute(f"DROP TABLE IF EXISTS {SEARCH_TABLE_NEW}")
            raise RebuildError(
                f"{SEARCH_TABLE} stayed locked by another session for {SWAP_LOCK_TIMEOUT}: nothing was swapped, "
                "the live table is as it was; run the rebuild again (pg_stat_activity shows who holds it)"
            ) from None
        except BaseException:
            conn.execute(f"DROP TABLE IF EXISTS {SEARCH_TABLE_NEW}")
            raise
    report.written = len(written)
    report.seconds = time.perf_counter() - started
    return report


def _create_new_search_table(conn: psycopg.Connection, indexes: Sequence[_TableIndex]) -> None:
    """An empty copy of the live table: columns, defaults, checks, primary key, triggers and grants."""
    from psycopg import sql

    with conn.transaction():
        conn.execute(f"DROP TABLE IF EXISTS {SEARCH_TABLE_NEW}")  # left by an interrupted rebuild
        conn.execute(f"CREATE TABLE {SEARCH_TABLE_NEW} (LIKE {SEARCH_TABLE} INCLUDING ALL EXCLUDING INDEXES)")
        for index in indexes:
            if index.constraint:  # the primary key: the upsert's ON CONFLICT needs it from the start
                conn.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                        sql.Identifier(SEARCH_TABLE_NEW),
                        sql.Identifier(index.temporary_name()),
                        sql.SQL(index.constraint),
                    )
                )
        for trigger in _triggers_on(conn, SEARCH_TABLE, SEARCH_TABLE_NEW):
            conn.execute(trigger)
        for privilege, grantee in _grants(conn, SEARCH_TABLE):
            to = sql.SQL("PUBLIC") if grantee == "PUBLIC" else sql.Identifier(grantee)
            conn.execute(
                sql.SQL("GRANT {} ON {} TO {}").format(sql.SQL(privilege), sql.Identifier(SEARCH_TABLE_NEW), to)
            )


def _swap_search_tables(
    conn: psycopg.Connection,
    indexes: Sequence[_TableIndex],
    upsert: str,
    written: dict[str, int],
    *,
    use_snapshots: bool,
    report: RebuildReport,
) -> None:
    """Catch up on events appended meanwhile, then the new table takes the live one's name, in one transaction."""
    from psycopg import sql

    with conn.transaction():
        # Projections wait from here to the commit; readers go on reading the old table until the drop.
        # A reader left idle in a transaction must not stall every other one behind the swap's lock.
        conn.execute(f"SET LOCAL lock_timeout = '{SWAP_LOCK_TIMEOUT}'")
        conn.execute(f"LOCK TABLE {SEARCH_TABLE} IN EXCLUSIVE MODE")
        stale = replay.behind(written, replay.latest_versions(conn))
        if stale:
            views = replay.views_of(replay.fold_many(conn, stale, use_snapshots=use_snapshots))
            _write_search_rows(conn, upsert, views, written)
            report.caught_up = len(views)
        _keep_other_writers(conn, _other_writers_columns(conn, SEARCH_TABLE, upsert))
        _compare_search_tables(conn, report)
        conn.execute(f"DROP TABLE {SEARCH_TABLE}")
        conn.execute(f"ALTER TABLE {SEARCH_TABLE_NEW} RENAME TO {SEARCH_TABLE}")
        for index in indexes:
            conn.execute(
                sql.SQL("ALTER INDEX {} RENAME TO {}").format(
                    sql.Identifier(index.temporary_name()), sql.Identifier(index.name)
                )
            )


def _write_search_rows(conn: psycopg.Connection, upsert: str, views: Sequence[View], written: dict[str, int]) -> None:
    if not views:
        return
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(upsert, [_search_params(v) for v in views])
    written.update((v.id, v.version) for v in views)


def _keep_other_writers(conn: psycopg.Connection, columns: Sequence[str]) -> None:
    """What other writers put in the live table's own columns stays (the event store cannot tell it)."""
    from psycopg import sql

    for column in columns:
        conn.execute(
            sql.SQL(
                "UPDATE {new} n SET {c} = o.{c} FROM {old} o "
                "WHERE o.company_id = n.company_id AND o.{c} IS NOT NULL AND n.{c} IS DISTINCT FROM o.{c}"
            ).format(new=sql.Identifier(SEARCH_TABLE_NEW), old=sql.Identifier(SEARCH_TABLE), c=sql.Identifier(column))
        )


def _compare_search_tables(conn: psycopg.Connection, report: RebuildReport) -> None:
    row = conn.execute(
        f"SELECT count(*) FILTER (WHERE o.company_id IS NULL) AS missing, "
        f"count(*) FILTER (WHERE n.company_id IS NULL) AS extra, "
        f"count(*) FILTER (WHERE o.company_id IS NULL OR n.company_id IS NULL OR o.version <> n.version "
        f"OR o.name <> n.name OR o.industry <> n.industry OR o.document <> n.document OR o.deleted <> n.deleted "
        f"OR o.search_vector <> n.search_vector) AS differ "
        f"FROM {SEARCH_TABLE} o FULL JOIN {SEARCH_TABLE_NEW} n ON n.company_id = o.company_id"
    ).fetchone()
    found = cast(dict[str, Any], row)
    report.missing, report.extra = int(found["missing"]), int(found["extra"])
    report.repaired = int(found["differ"]) - report.extra
