"""Postgres connection reuse across warm invocations of one function instance.

Lambda keeps the process between invocations, so one connection per instance is the norm; it is
re-opened when the server closed it. psycopg is imported lazily: handlers that never touch Postgres
do not pay its ~0.15 s import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg

_connections: dict[str, psycopg.Connection] = {}


def connect(url: str) -> psycopg.Connection:
    """A new autocommit-off connection with dict rows; callers own its lifetime."""
    import psycopg
    from psycopg.rows import dict_row

    return psycopg.connect(url, row_factory=dict_row, connect_timeout=5)  # type: ignore[arg-type]


def connection(url: str) -> psycopg.Connection:
    """The instance's shared connection, healthy and idle."""
    conn = _connections.get(url)
    if conn is None or conn.closed or conn.broken:
        conn = _connections[url] = connect(url)
    return conn
