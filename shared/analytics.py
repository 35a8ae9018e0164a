"""ClickHouse analytics store (seed "Data Layer"), reached over HTTP with clickhouse-connect."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from shared.settings import Settings

_clients: dict[str, Any] = {}


def clickhouse_client(settings: Settings) -> Any:
    """A cached client for ALGOARTS_CLICKHOUSE_URL (http://user:password@host:port/database)."""
    url = settings.require("clickhouse_url")
    client = _clients.get(url)
    if client is None:
        import clickhouse_connect

        parts = urlsplit(url)
        client = _clients[url] = clickhouse_connect.get_client(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 8123,
            username=unquote(parts.username or "default"),
            password=unquote(parts.password or ""),
            database=(parts.path or "/").strip("/") or "default",
            secure=parts.scheme == "https",
            connect_timeout=3,
        )
    return client
