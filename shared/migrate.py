"""Forward-only schema migrations from the SQL files shipped in this package.

Each file runs once, in name order, inside one transaction with its bookkeeping row, under an
advisory lock so that two deployers racing cannot apply the same file twice.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

_LOCK_ID = 0x41_4C_47_4F  # "ALGO"


def _files(kind: str) -> list[tuple[str, str]]:
    folder = resources.files("shared") / "migrations" / kind
    items = [(f.name, f.read_text("utf-8")) for f in folder.iterdir() if f.name.endswith(".sql")]
    return sorted(items)


def migrate_postgres(url: str) -> list[str]:
    """Apply pending Postgres migrations; returns the names applied now."""
    from shared.db import connect

    applied_now: list[str] = []
    with connect(url) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_ID,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW())"
        )
        conn.commit()
        done = {r["name"] for r in conn.execute("SELECT name FROM schema_migrations").fetchall()}  # type: ignore[call-overload]
        conn.commit()  # so each file below runs in a transaction of its own, not a savepoint of this one
        for name, sql in _files("postgres"):
            if name in done:
                continue
            with conn.transaction():
                conn.execute(sql.encode())
                conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (name,))
            applied_now.append(name)
        conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_ID,))
        conn.commit()
    return applied_now


def migrate_clickhouse(client: Any) -> list[str]:
    """Apply the ClickHouse DDL (idempotent statements) through a clickhouse-connect client."""
    names = []
    for name, sql in _files("clickhouse"):
        for statement in (s.strip() for s in sql.split(";")):
            body = "\n".join(line for line in statement.splitlines() if not line.startswith("--"))
            if body.strip():
                client.command(body)
        names.append(name)
    return names
