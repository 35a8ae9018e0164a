"""Replaying the company event store to rebuild a read model (`algoarts rebuild`).

The event store is the truth; every read model (the `companies` table, the search index, the cache)
is a function of it. This module is the domain side of a rebuild: walk every aggregate in batches
(keyset order on the aggregate id), fold each from its latest snapshot and the events after it, and
hand back the states and the views the projections would have written. Writing them is the caller's
business (localcloud/rebuild.py), and so is the transaction: a batch is read with the caller's
connection, so a caller that locks a batch's rows first folds exactly what is committed.

Two reads per batch, whatever its size: the latest snapshots, then the events after them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError

from shared.companies.aggregate import CompanyState, StoredEvent, fold
from shared.companies.model import Company

if TYPE_CHECKING:
    import psycopg

DEFAULT_BATCH = 500


class RebuildError(RuntimeError):
    """An aggregate that cannot be folded or shown: the event store itself needs a look."""


@dataclass(frozen=True)
class View:
    """What a projection writes for one aggregate: the document and whether it is a tombstone."""

    company: Company
    deleted: bool

    @property
    def id(self) -> str:
        return str(self.company.id)

    @property
    def version(self) -> int:
        return self.company.version


def count_aggregates(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT count(DISTINCT aggregate_id) AS n FROM company_events").fetchone()
    return int(cast(dict[str, Any], row)["n"]) if row else 0


def aggregate_id_batches(conn: psycopg.Connection, batch: int = DEFAULT_BATCH) -> Iterator[list[str]]:
    """Every aggregate id of the event store, `batch` at a time, in id order (keyset, never OFFSET)."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    after: str | None = None
    while True:
        if after is None:
            query = "SELECT DISTINCT aggregate_id FROM company_events ORDER BY 1 LIMIT %(n)s"
        else:
            query = (
                "SELECT DISTINCT aggregate_id FROM company_events WHERE aggregate_id > %(after)s ORDER BY 1 LIMIT %(n)s"
            )
        rows = conn.execute(query, {"after": after, "n": batch}).fetchall()
        ids = [str(cast(dict[str, Any], r)["aggregate_id"]) for r in rows]
        if not ids:
            return
        yield ids
        if len(ids) < batch:
            return
        after = ids[-1]


def fold_many(conn: psycopg.Connection, ids: Sequence[str], *, use_snapshots: bool = True) -> list[CompanyState]:
    """The aggregates of `ids` as `event_store.rebuild` would give them one by one, in the order of `ids`;
    ids without events are left out."""
    if not ids:
        return []
    states = {company_id: CompanyState(id=company_id) for company_id in ids}
    if use_snapshots:
        for row in conn.execute(
            "SELECT DISTINCT ON (aggregate_id) aggregate_id::text AS id, version, state FROM company_snapshots "
            "WHERE aggregate_id = ANY(%s::uuid[]) ORDER BY aggregate_id, version DESC",
            (list(ids),),
        ).fetchall():
            snap = cast(dict[str, Any], row)
            states[snap["id"]] = CompanyState.from_snapshot(snap["id"], snap["version"], snap["state"])
    events: dict[str, list[StoredEvent]] = {company_id: [] for company_id in ids}
    for row in conn.execute(
        "SELECT e.aggregate_id::text AS id, e.event_id, e.event_type, e.version, e.payload, e.occurred_at "
        "FROM company_events e JOIN unnest(%s::uuid[], %s::int[]) AS s(id, after) ON e.aggregate_id = s.id "
        "WHERE e.version > s.after ORDER BY e.aggregate_id, e.version",
        (list(ids), [states[company_id].version for company_id in ids]),
    ).fetchall():
        event = dict(cast(dict[str, Any], row))
        events[event.pop("id")].append(StoredEvent(**event))
    folded = []
    for company_id in ids:
        try:
            state = fold(states[company_id], events[company_id])
        except (ValueError, KeyError) as exc:
            raise RebuildError(f"company {company_id}: cannot fold its events: {exc}") from exc
        if state.exists:
            folded.append(state)
    return folded


def view_of(state: CompanyState) -> View:
    """The document the projections get for this state (the outbox message's `company` and `deleted`)."""
    try:
        return View(Company.model_validate(state.view().model_dump(mode="json")), state.deleted)
    except ValidationError as exc:
        raise RebuildError(f"company {state.id} v{state.version}: its state is not a valid view: {exc}") from exc


def replay(
    conn: psycopg.Connection, *, batch: int = DEFAULT_BATCH, use_snapshots: bool = True
) -> Iterator[list[CompanyState]]:
    """Every aggregate's current state, a batch at a time."""
    for ids in aggregate_id_batches(conn, batch):
        yield fold_many(conn, ids, use_snapshots=use_snapshots)


def replay_views(
    conn: psycopg.Connection, *, batch: int = DEFAULT_BATCH, use_snapshots: bool = True
) -> Iterator[list[View]]:
    """Every aggregate's view, a batch at a time: what a full replay of the stream would project."""
    for states in replay(conn, batch=batch, use_snapshots=use_snapshots):
        yield [view_of(state) for state in states]


def latest_versions(conn: psycopg.Connection) -> dict[str, int]:
    """Each aggregate's latest version in the event store."""
    rows = conn.execute(
        "SELECT aggregate_id::text AS id, max(version) AS version FROM company_events GROUP BY aggregate_id"
    ).fetchall()
    return {cast(dict[str, Any], r)["id"]: int(cast(dict[str, Any], r)["version"]) for r in rows}


def behind(written: Mapping[str, int], latest: Mapping[str, int]) -> list[str]:
    """Aggregates whose written version is not the event store's latest (events appended meanwhile), sorted."""
    return sorted(company_id for company_id, version in latest.items() if written.get(company_id) != version)


def views_of(states: Iterable[CompanyState]) -> list[View]:
    return [view_of(state) for state in states]
