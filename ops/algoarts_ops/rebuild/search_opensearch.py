"""`algoarts rebuild search` on OpenSearch: a fresh `companies_v{n+1}` index, then the alias moved to it.

The new index gets the current mapping and every aggregate from the event store (deleted companies as
tombstones, external versions as the projection writes them); events projected meanwhile are folded
again before the swap and after it; the `companies` alias moves in one atomic update, so readers see
the old index or the new one and never neither. The old index is deleted only after the swap, the new
one when anything failed before it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

from algoarts_ops.progress import ProgressFactory, no_progress
from algoarts_ops.rebuild.report import RebuildReport, count_folded
from shared import rebuild as replay
from shared.db import connect
from shared.rebuild import RebuildError, View

if TYPE_CHECKING:
    import psycopg

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
    progress: ProgressFactory = no_progress,
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
                    count_folded(report, views)
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
