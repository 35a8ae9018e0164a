"""`algoarts rebuild`: which rebuild to run, its endpoints, its progress on stderr, the report and the exit code.

Endpoints come from the flags, else the ALGOARTS_* variables, else the running local cloud
(`algoarts_ops.local_cloud`); a missing one is bad input (exit 2) before anything is touched.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import cast

from algoarts_ops import local_cloud
from algoarts_ops.progress import Progress, ProgressFactory, progress_bar
from algoarts_ops.rebuild.cache import rebuild_cache
from algoarts_ops.rebuild.companies import rebuild_companies
from algoarts_ops.rebuild.report import RebuildReport, format_report
from algoarts_ops.rebuild.search_opensearch import rebuild_opensearch
from algoarts_ops.rebuild.search_postgres import rebuild_postgres_search
from shared import rebuild as replay
from shared.rebuild import RebuildError

READ_MODELS = ("companies", "search", "cache")


def search_target(backend: str | None, opensearch_url: str | None) -> tuple[str, str | None]:
    """(backend, OpenSearch URL): the flags, else ALGOARTS_SEARCH_BACKEND/_OPENSEARCH_URL, else the local cloud's."""
    parameters = local_cloud.stack_parameters()
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
    database_url = database_url or os.environ.get("ALGOARTS_DATABASE_URL") or local_cloud.database_url()
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
    redis_url = redis_url or os.environ.get("ALGOARTS_REDIS_URL") or local_cloud.redis_url()
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
        return progress_bar(desc, total, unit="agg", quiet=quiet)

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
