"""ClickHouse for the local cloud: chdb's data folder owned by one server process (chdb_server),
which the functions reach over loopback HTTP as they would reach a managed ClickHouse."""

from __future__ import annotations

import sys
from pathlib import Path

from localcloud.servers.chdb_server import PASSWORD_ENV, is_ready

EXTRA_PORTS: tuple[str, ...] = ()
__all__ = ["EXTRA_PORTS", "build", "command", "is_ready", "prepare"]

_passwords: dict[Path, str] = {}


def build(cache_dir: Path) -> Path:
    return Path(sys.executable)


def prepare(build_dir: Path, data_dir: Path, port: int, extra_ports: dict[str, int], password: str) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    _passwords[data_dir] = password


def command(
    build_dir: Path, data_dir: Path, port: int, extra_ports: dict[str, int]
) -> tuple[list[str], dict[str, str]]:
    argv = [
        str(build_dir),
        "-m",
        "localcloud.servers.chdb_server",
        "--path",
        str(data_dir / "chdb"),
        "--port",
        str(port),
    ]
    # The password travels in the environment, never on the command line (visible in ps).
    return argv, {PASSWORD_ENV: _passwords[data_dir]}
