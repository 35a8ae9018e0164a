"""Schema migrations against the real servers: Postgres 18 + pgvector and ClickHouse (chdb over HTTP).

Deployers rerun migrations on every deploy, so a second run must apply nothing, and the schema the
code relies on (extensions, the 384-d embedding column, analytics tables with a TTL) must exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

from shared.analytics import clickhouse_client
from shared.migrate import migrate_clickhouse, migrate_postgres
from shared.settings import Settings

pytestmark = pytest.mark.integration


def _clickhouse(url: str) -> Any:
    return clickhouse_client(
        Settings(database_url="postgresql://unused", redis_url="redis://unused", clickhouse_url=url)
    )


def test_second_postgres_run_applies_nothing(postgres_url: str, pg: Any) -> None:
    assert migrate_postgres(postgres_url) == []
    assert migrate_postgres(postgres_url) == []
    names = [r["name"] for r in pg.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()]
    shipped = sorted(
        f.name for f in (resources.files("shared") / "migrations" / "postgres").iterdir() if f.name.endswith(".sql")
    )
    assert names == shipped and "0001_core.sql" in names


@pytest.fixture
def scratch_database(postgres_url: str) -> Iterator[str]:
    """An empty database on the same server, dropped afterwards."""
    import psycopg

    name = f"scratch_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_failed_migration_keeps_the_files_before_it(scratch_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each file commits with its bookkeeping row: a broken 0002 must not undo an applied 0001."""
    import psycopg

    import shared.migrate

    files = {
        "postgres": [
            ("0001_ok.sql", "CREATE TABLE first_table (id INT PRIMARY KEY);"),
            ("0002_broken.sql", "CREATE TABLE second_table (id INT PRIMARY KEY); SELECT no_such_column;"),
        ]
    }
    monkeypatch.setattr(shared.migrate, "_files", lambda kind: files[kind])
    with pytest.raises(psycopg.errors.UndefinedColumn):
        migrate_postgres(scratch_database)

    with psycopg.connect(scratch_database) as conn:
        applied = [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()]
        tables = {
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchall()
        }
    assert applied == ["0001_ok.sql"]
    assert "first_table" in tables and "second_table" not in tables

    # Once 0002 is fixed, a rerun applies only 0002.
    files["postgres"][1] = ("0002_broken.sql", "CREATE TABLE second_table (id INT PRIMARY KEY);")
    assert migrate_postgres(scratch_database) == ["0002_broken.sql"]


def test_postgres_extensions_and_tables_exist(pg: Any) -> None:
    extensions = {r["extname"] for r in pg.execute("SELECT extname FROM pg_extension").fetchall()}
    assert {"vector", "pg_trgm"} <= extensions

    tables = {
        r["table_name"]
        for r in pg.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'").fetchall()
    }
    assert {"companies", "company_events", "outbox", "company_search", "schema_migrations"} <= tables

    embedding = pg.execute(
        "SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute "
        "WHERE attrelid = 'companies'::regclass AND attname = 'embedding'"
    ).fetchone()
    assert embedding == {"type": "vector(384)"}
    # pgvector really works with that column: a 384-d vector is accepted, another size is not.
    pg.execute("SELECT %s::vector(384) <=> %s::vector(384) AS d", ("[" + ",".join(["1"] * 384) + "]",) * 2)
    with pytest.raises(Exception, match="expected 384 dimensions"):
        pg.execute("SELECT '[1,2,3]'::vector(384)")
    pg.rollback()


def test_outbox_insert_notifies_listeners(pg: Any, postgres_url: str) -> None:
    """The relay wakes on NOTIFY outbox: the trigger must fire once per committed insert."""
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as listener:
        listener.execute("LISTEN outbox")
        row = pg.execute(
            "INSERT INTO outbox (event_id, topic, message_key, envelope) "
            "VALUES (gen_random_uuid(), 'company.events', 'k', '{}') RETURNING id"
        ).fetchone()
        pg.commit()
        got = [n for n in listener.notifies(timeout=5.0, stop_after=1)]
    assert [(n.channel, n.payload) for n in got] == [("outbox", str(row["id"]))]
    pg.execute("DELETE FROM outbox WHERE id = %s", (row["id"],))
    pg.commit()


@pytest.mark.parametrize("table", ["user_events", "search_queries", "metrics"])
def test_clickhouse_tables_exist_with_ttl(clickhouse_url: str, table: str) -> None:
    client = _clickhouse(clickhouse_url)
    ddl = str(client.command(f"SHOW CREATE TABLE {table}"))
    assert "MergeTree" in ddl
    assert "PARTITION BY toYYYYMM(ts)" in ddl
    assert "TTL toDateTime(ts) + toIntervalDay(90)" in ddl


def test_clickhouse_migration_is_idempotent(clickhouse_url: str) -> None:
    client = _clickhouse(clickhouse_url)
    client.command("INSERT INTO metrics (name, value, labels, ts) VALUES ('probe', 1.5, map('k', 'v'), now64(3))")
    assert migrate_clickhouse(client) == ["0001_analytics.sql", "0002_domain_events.sql"]
    # A rerun keeps the data (IF NOT EXISTS, no drop and recreate).
    assert client.query("SELECT value FROM metrics WHERE name = 'probe'").result_rows == [(1.5,)]
