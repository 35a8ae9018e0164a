"""`algoarts rebuild cache`: the company cache dropped, and with `--warm` filled again from the event store.

The cache is read-through, so dropping it is always safe: every company entry, slug alias, list page
and the list generation counter go. Warming puts every company back at its folded version (a tombstone
for a deleted one), through the same CompanyCache the projection writes with, so nothing goes backwards.
"""

from __future__ import annotations

import time
from typing import Any

from algoarts_ops.progress import ProgressFactory, no_progress
from algoarts_ops.rebuild.report import RebuildReport, count_folded
from shared import rebuild as replay
from shared.db import connect

CACHE_PATTERNS = ("company:*", "companies:list:*")  # entries, slug aliases; list pages and their generation


def drop_cache(client: Any, *, progress: ProgressFactory = no_progress, chunk: int = 500) -> int:
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
    progress: ProgressFactory = no_progress,
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
                    count_folded(report, views)
                    bar.update(len(views))
            finally:
                bar.close()
    report.seconds = time.perf_counter() - started
    return report
