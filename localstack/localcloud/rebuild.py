"""`algoarts rebuild companies|search|cache`: a read model rebuilt from the company event store.

Every read model is a function of the event store (shared/rebuild.py replays it: each aggregate folded
from its latest snapshot and the events after it). What this command does per read model:

* ``companies`` (the current-state table in Postgres): one transaction per batch locks the batch's rows,
  folds the aggregates and overwrites their rows, exactly as a command does, so a command running
  meanwhile is serialised with the rebuild and nothing goes backwards. Missing rows come back; rows
  that hold a slug, INN or OGRN another aggregate owns lose it (counted as conflicts); rows without
  any event (not event-sourced) are counted and left alone; enrichment-only columns are kept.
* ``search``: whichever backend the cloud uses. Postgres: `company_search_new` is built beside the
  live table, then swapped in by name in one short transaction (with its indexes, constraints and
  grants renamed/copied), after catching up on events appended meanwhile. OpenSearch: a fresh
  `companies_v{n+1}` index with the current mapping, bulk-indexed (deleted companies as tombstones,
  external versions as the projection writes them), caught up, then the `companies` alias moves to it
  in one atomic alias update and the old index is deleted: readers never see an empty index.
* ``cache``: every `company:*` key and every list page with its generation counter are dropped (the
  cache is read-through); `--warm` then puts every company back at its version, as the projection would.

Endpoints are explicit: `--database-url`, `--redis-url`, `--opensearch-url` (or ALGOARTS_* variables),
else the running local cloud's.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from shared import rebuild as replay
from shared.companies import store
from shared.companies.aggregate import CompanyState
from shared.db import connect
from shared.rebuild import RebuildError, View

if TYPE_CHECKING:
    import psycopg

READ_MODELS = ("companies", "search", "cache")
SEARCH_TABLE = "company_search"
SEARCH_TABLE_NEW = "company_search_new"
CONFLICT_SLUG_PREFIX = "~rebuild-"  # a row that held another aggregate's slug gets "~rebuild-<its id>"
_DEADLOCK_RETRIES = 3
SWAP_LOCK_TIMEOUT = "10s"  # how long the search table swap waits for its lock before giving up


@dataclass
class RebuildReport:
    read_model: str
    target: str  # where the rebuilt model lives, e.g. "opensearch alias companies -> companies_v2"
    aggregates: int = 0  # folded from the event store
    live: int = 0
    deleted: int = 0
    written: int = 0  # rows, documents or cache entries written
    repaired: int = 0  # rows or documents that differed from the rebuilt ones (missing ones included)
    missing: int = 0  # of those, the ones that were not there at all
    extra: int = 0  # rows or documents of aggregates the event store does not know (gone now)
    conflicts: int = 0  # companies rows that had to give up a slug, INN or OGRN to their owner
    orphans: int = 0  # companies rows without events: not event-sourced, left alone
    caught_up: int = 0  # aggregates folded again because events were appended during the rebuild
    dropped: int = 0  # cache keys deleted
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.aggregates / self.seconds if self.seconds > 0 else 0.0


# --- progress ------------------------------------------------------------------------------------


class Progress(Protocol):
    def update(self, n: int = 1) -> object: ...

    def close(self) -> None: ...


class _Silent:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


class PlainProgress:
    """A counter line on stderr at most once per `every` seconds (and at the end): for logs and pipes."""

    def __init__(self, desc: str, total: int | None, *, every: float = 1.0, stream: Any = None) -> None:
        self.desc, self.total, self.every, self.done = desc, total, every, 0
        self._stream = stream if stream is not None else sys.stderr
        self._shown = time.monotonic()
        self._last_line = -1

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._shown >= self.every:
            self._shown = now
            self._line()

    def close(self) -> None:
        if self._last_line != self.done:
            self._line()

    def _line(self) -> None:
        self._last_line = self.done
        of = f"/{self.total}" if self.total is not None else ""
        self._stream.write(f"{self.desc}: {self.done}{of}\n")
        self._stream.flush()


def progress_bar(desc: str, total: int | None, *, quiet: bool = False, tty: bool | None = None) -> Progress:
    """tqdm on a terminal, a plain counter otherwise, nothing with `quiet`."""
    if quiet:
        return _Silent()
    if tty is None:
        tty = sys.stderr.isatty()
    if tty:
        try:
            tqdm = importlib.import_module("tqdm").tqdm  # in the local extras
        except ImportError:
            pass
        else:
            return cast(Progress, tqdm(total=total, desc=desc, unit="agg", file=sys.stderr))
    return PlainProgress(desc, total)


ProgressFactory = Callable[[str, int | None], Progress]


def _no_progress(desc: str, total: int | None) -> Progress:
    return _Silent()


# --- companies -----------------------------------------------------------------------------------

_ROW_HASH = f"md5(ROW({store.VIEW_COLUMNS}, deleted_at)::text)"


def rebuild_companies(
    database_url: str,
    *,
    batch: int = replay.DEFAULT_BATCH,
    use_snapshots: bool = True,
    progress: ProgressFactory = _no_progress,
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
                _count(report, states)
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


def _count(report: RebuildReport, folded: Iterable[View | CompanyState]) -> None:
    for item in folded:
        report.aggregates += 1
        if item.deleted:
            report.deleted += 1
        else:
            report.live += 1


# --- search: Postgres ----------------------------------------------------------------------------


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
    progress: ProgressFactory = _no_progress,
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
                    _count(report, views)
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


# --- search: OpenSearch --------------------------------------------------------------------------

_VERSIONED = re.compile(r"^companies_v(\d+)$")


def next_index_name(existing: Iterable[str]) -> str:
    """`companies_v{n+1}` for the highest n among the existing versioned indexes (v1 when there is none)."""
    versions = [int(m.group(1)) for name in existing if (m := _VERSIONED.match(name))]
    return f"companies_v{max(versions, default=0) + 1}"


def _document(view: View) -> dict[str, Any]:
    """The projection's document (OpenSearchIndex.upsert)."""
    return {**view.company.model_dump(mode="json"), "deleted": view.deleted}


def _actions(index: str, views: Iterable[View]) -> Iterator[dict[str, Any]]:
    for view in views:
        yield {
            "_op_type": "index",
            "_index": index,
            "_id": view.id,
            "_version": view.version,
            "_version_type": "external",
            "_source": _document(view),
        }


def _bulk(client: Any, index: str, views: Sequence[View], *, conflicts_ok: bool) -> int:
    """Index `views`; the number refused as stale (a newer version already there) when `conflicts_ok`."""
    from opensearchpy import helpers

    if not views:
        return 0
    _, errors = helpers.bulk(client, _actions(index, views), raise_on_error=False, request_timeout=120)
    failures = cast(list[dict[str, Any]], errors)
    stale = [e for e in failures if e.get("index", {}).get("status") == 409]
    others = [e for e in failures if e.get("index", {}).get("status") != 409]
    if others or (stale and not conflicts_ok):
        raise RebuildError(f"OpenSearch refused {len(failures)} documents, e.g. {failures[0]}")
    return len(stale)


def rebuild_opensearch(
    database_url: str,
    opensearch_url: str,
    *,
    batch: int = replay.DEFAULT_BATCH,
    use_snapshots: bool = True,
    progress: ProgressFactory = _no_progress,
) -> RebuildReport:
    """A fresh versioned index from the event store, then the alias moved to it atomically (zero downtime)."""
    from opensearchpy import OpenSearch

    from shared.search.opensearch_index import ALIAS, MAPPING

    started = time.perf_counter()
    client = OpenSearch(hosts=[opensearch_url], timeout=60)
    if client.indices.exists(index=ALIAS) and not client.indices.exists_alias(name=ALIAS):
        raise RebuildError(f"{ALIAS} is an index, not an alias: move its documents to a versioned index first")
    current = sorted(client.indices.get_alias(name=ALIAS)) if client.indices.exists_alias(name=ALIAS) else []
    existing = sorted(client.indices.get(index="companies_v*", allow_no_indices=True, ignore_unavailable=True))
    new = next_index_name([*existing, *current])
    report = RebuildReport("search", f"opensearch alias {ALIAS} -> {new}")
    body = {**MAPPING, "settings": {**MAPPING.get("settings", {}), "refresh_interval": "-1"}}
    client.indices.create(index=new, body=body)
    written: dict[str, int] = {}
    swapped = False
    old_docs = 0
    try:
        with connect(database_url) as conn:
            conn.autocommit = True
            bar = progress("rebuild search", replay.count_aggregates(conn))
            try:
                for ids in replay.aggregate_id_batches(conn, batch):
                    views = replay.views_of(replay.fold_many(conn, ids, use_snapshots=use_snapshots))
                    _bulk(client, new, views, conflicts_ok=False)
                    written.update((v.id, v.version) for v in views)
                    _count(report, views)
                    bar.update(len(ids))
            finally:
                bar.close()
            client.indices.put_settings(index=new, body={"index": {"refresh_interval": None}})
            # Events projected into the old index while this one was built: fold them again, before the
            # swap (so readers see them at once) and after it (those that arrived in between).
            report.caught_up += _catch_up(conn, client, new, written, use_snapshots, conflicts_ok=False)
            client.indices.refresh(index=new)
            old_docs = sum(int(client.count(index=name)["count"]) for name in current)
            _move_alias(client, ALIAS, current, new)
            swapped = True
            report.caught_up += _catch_up(conn, client, new, written, use_snapshots, conflicts_ok=True)
            client.indices.refresh(index=new)
    except BaseException:
        if not swapped:
            client.indices.delete(index=new, ignore_unavailable=True)
        raise
    for name in current:
        client.indices.delete(index=name, ignore_unavailable=True)
    report.written = len(written)
    if current:
        report.notes.append(f"was {', '.join(current)} ({old_docs} documents): deleted")
    leftovers = [name for name in existing if name not in current and name != new]
    if leftovers:
        report.notes.append(f"not behind the alias, left alone: {', '.join(leftovers)}")
    report.seconds = time.perf_counter() - started
    return report


def _move_alias(client: Any, alias: str, current: Sequence[str], new: str) -> None:
    """One alias update: readers see either the old index or the new one, never neither."""
    actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": alias}} for name in current]
    actions.append({"add": {"index": new, "alias": alias}})
    client.indices.update_aliases(body={"actions": actions})


def _catch_up(
    conn: psycopg.Connection,
    client: Any,
    index: str,
    written: dict[str, int],
    use_snapshots: bool,
    *,
    conflicts_ok: bool,
) -> int:
    stale = replay.behind(written, replay.latest_versions(conn))
    if not stale:
        return 0
    views = replay.views_of(replay.fold_many(conn, stale, use_snapshots=use_snapshots))
    _bulk(client, index, views, conflicts_ok=conflicts_ok)
    written.update((v.id, v.version) for v in views)
    return len(views)


# --- cache ---------------------------------------------------------------------------------------

CACHE_PATTERNS = ("company:*", "companies:list:*")  # entries, slug aliases; list pages and their generation


def drop_cache(client: Any, *, progress: ProgressFactory = _no_progress, chunk: int = 500) -> int:
    """Delete every company entry, slug alias, list page and the list generation; returns how many keys."""
    dropped = 0
    bar = progress("drop cache keys", None)
    try:
        for pattern in CACHE_PATTERNS:
            keys: list[Any] = []
            for key in client.scan_iter(match=pattern, count=chunk):
                keys.append(key)
                if len(keys) >= chunk:
                    dropped += int(client.unlink(*keys))
                    bar.update(len(keys))
                    keys = []
            if keys:
                dropped += int(client.unlink(*keys))
                bar.update(len(keys))
    finally:
        bar.close()
    return dropped


def rebuild_cache(
    redis_url: str,
    *,
    database_url: str | None = None,
    warm: bool = False,
    ttl_seconds: int = 300,
    batch: int = replay.DEFAULT_BATCH,
    use_snapshots: bool = True,
    progress: ProgressFactory = _no_progress,
) -> RebuildReport:
    """Drop the company cache; with `warm`, put every company back at its version (tombstones for deleted)."""
    from shared.cache import CompanyCache, redis_client

    started = time.perf_counter()
    client = redis_client(redis_url)
    report = RebuildReport("cache", "redis company:* and companies:list:*")
    report.dropped = drop_cache(client, progress=progress)
    if warm:
        if not database_url:
            raise ValueError("warming the cache needs the database")
        cache = CompanyCache(client, ttl_seconds)
        with connect(database_url) as conn:
            conn.autocommit = True
            bar = progress("warm cache", replay.count_aggregates(conn))
            try:
                for views in replay.replay_views(conn, batch=batch, use_snapshots=use_snapshots):
                    for view in views:
                        stored = cache.evict(view.id, view.version) if view.deleted else cache.put(view.company)
                        report.written += int(stored)
                    _count(report, views)
                    bar.update(len(views))
            finally:
                bar.close()
    report.seconds = time.perf_counter() - started
    return report


# --- the command ---------------------------------------------------------------------------------


def format_report(report: RebuildReport) -> list[str]:
    lines = [f"rebuilt {report.read_model} ({report.target}) in {report.seconds:.2f} s"]
    if report.read_model == "cache":
        lines.append(f"  dropped {report.dropped} keys")
        if report.aggregates:
            lines.append(
                f"  warmed {report.written} entries from {report.aggregates} aggregates "
                f"({report.live} live, {report.deleted} deleted)"
            )
        return lines + [f"  {note}" for note in report.notes]
    lines.append(
        f"  {report.aggregates} aggregates ({report.live} live, {report.deleted} deleted), "
        f"{report.written} written, {report.per_second:.0f}/s"
    )
    fixes = [
        f"{report.repaired} differed" if report.repaired else "",
        f"{report.missing} were missing" if report.missing else "",
        f"{report.extra} unknown removed" if report.extra else "",
        f"{report.conflicts} unique values taken back" if report.conflicts else "",
        f"{report.caught_up} caught up" if report.caught_up else "",
    ]
    if any(fixes):
        lines.append("  " + ", ".join(f for f in fixes if f))
    return lines + [f"  {note}" for note in report.notes]


def _local() -> Any:
    from localcloud.runtime import CloudState

    return CloudState.load()


def local_database_url() -> str | None:
    from localcloud.runtime import load_secrets
    from localcloud.servers import postgres

    state = _local()
    if state is None or "postgres" not in state.parts:
        return None
    return postgres.url(state.parts["postgres"].port or 0, load_secrets()["postgres"])


def local_redis_url() -> str | None:
    from localcloud.runtime import load_secrets
    from localcloud.servers import redis

    state = _local()
    if state is None or "redis" not in state.parts:
        return None
    return redis.url(state.parts["redis"].port or 0, load_secrets()["redis"])


def search_target(backend: str | None, opensearch_url: str | None) -> tuple[str, str | None]:
    """(backend, OpenSearch URL): the flags, else ALGOARTS_SEARCH_BACKEND/_OPENSEARCH_URL, else the local cloud's."""
    state = _local()
    parameters: dict[str, str] = state.parameters if state is not None else {}
    backend = backend or os.environ.get("ALGOARTS_SEARCH_BACKEND") or parameters.get("SearchBackend") or "postgres"
    url = opensearch_url or os.environ.get("ALGOARTS_OPENSEARCH_URL") or parameters.get("OpenSearchUrl") or None
    return backend, url


class _BadInput(Exception):
    """A missing endpoint or a bad option: exit code 2."""


def _plan(
    read_model: str,
    *,
    database_url: str | None,
    redis_url: str | None,
    search_backend: str | None,
    opensearch_url: str | None,
    batch: int,
    use_snapshots: bool,
    warm: bool,
    progress: ProgressFactory,
) -> Callable[[], RebuildReport]:
    """What to run for `read_model`, with every endpoint resolved (flags, ALGOARTS_* variables, the local cloud)."""
    if read_model not in READ_MODELS:
        raise _BadInput(f"unknown read model {read_model!r}: one of {', '.join(READ_MODELS)}")
    if batch < 1:
        raise _BadInput("--batch must be at least 1")
    options = {"batch": batch, "use_snapshots": use_snapshots, "progress": progress}
    database_url = database_url or os.environ.get("ALGOARTS_DATABASE_URL") or local_database_url()
    if (read_model != "cache" or warm) and not database_url:
        raise _BadInput("no database: pass --database-url or set ALGOARTS_DATABASE_URL, or start `make dev`")
    db = cast(str, database_url)
    if read_model == "companies":
        return functools.partial(rebuild_companies, db, **options)  # type: ignore[arg-type]
    if read_model == "search":
        backend, url = search_target(search_backend, opensearch_url)
        if backend != "opensearch":
            return functools.partial(rebuild_postgres_search, db, **options)  # type: ignore[arg-type]
        if not url:
            raise _BadInput("no OpenSearch: pass --opensearch-url or set ALGOARTS_OPENSEARCH_URL")
        return functools.partial(rebuild_opensearch, db, url, **options)  # type: ignore[arg-type]
    redis_url = redis_url or os.environ.get("ALGOARTS_REDIS_URL") or local_redis_url()
    if not redis_url:
        raise _BadInput("no Redis: pass --redis-url or set ALGOARTS_REDIS_URL, or start `make dev`")
    ttl = int(os.environ.get("ALGOARTS_CACHE_TTL_SECONDS", "300"))
    return functools.partial(
        rebuild_cache,
        redis_url,
        database_url=database_url,
        warm=warm,
        ttl_seconds=ttl,
        **options,  # type: ignore[arg-type]
    )


def rebuild_command(
    read_model: str,
    *,
    database_url: str | None = None,
    redis_url: str | None = None,
    search_backend: str | None = None,
    opensearch_url: str | None = None,
    batch: int = replay.DEFAULT_BATCH,
    use_snapshots: bool = True,
    warm: bool = False,
    quiet: bool = False,
) -> int:
    """`algoarts rebuild`: 0 rebuilt, 1 failed (the live read model is untouched or consistent), 2 bad input."""
    import psycopg
    import redis
    from opensearchpy.exceptions import OpenSearchException

    def bar(desc: str, total: int | None) -> Progress:
        return progress_bar(desc, total, quiet=quiet)

    try:
        run = _plan(
            read_model,
            database_url=database_url,
            redis_url=redis_url,
            search_backend=search_backend,
            opensearch_url=opensearch_url,
            batch=batch,
            use_snapshots=use_snapshots,
            warm=warm,
            progress=bar,
        )
    except _BadInput as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        report = run()
    except RebuildError as exc:
        print(f"rebuild failed: {exc}", file=sys.stderr)
        return 1
    except psycopg.Error as exc:
        print(f"rebuild failed: database error: {exc}", file=sys.stderr)
        return 1
    except (OpenSearchException, redis.RedisError) as exc:
        print(f"rebuild failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    for line in format_report(report):
        print(line)
    return 0
