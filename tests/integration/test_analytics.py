"""The analytics adapter's ClickHouse client (shared.analytics) against localcloud's ClickHouse server."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from localcloud.servers import clickhouse
from shared.analytics import clickhouse_client
from shared.settings import Settings

pytestmark = pytest.mark.integration


def _settings(url: str) -> Settings:
    return Settings(database_url="postgresql://unused", redis_url="redis://unused", clickhouse_url=url)


def test_client_from_url_reaches_the_database(clickhouse_url: str) -> None:
    client = clickhouse_client(_settings(clickhouse_url))
    assert clickhouse_client(_settings(clickhouse_url)) is client  # reused across warm invocations
    assert client.command("SELECT currentDatabase()") == "default"
    assert client.command("SELECT count() FROM system.tables WHERE name = 'user_events'") == 1


# Managed ClickHouse passwords are chosen by people and may hold URL-reserved characters; in
# ALGOARTS_CLICKHOUSE_URL they are percent-encoded, as in any URL.
SPECIAL_PASSWORD = "p@ss:w/rd%" + secrets.token_hex(4)


@pytest.fixture
def special_password_server(launcher: Any) -> Iterator[int]:
    """A second ClickHouse server of our own whose password needs percent-encoding in a URL."""
    with launcher.start("clickhouse", clickhouse, password=SPECIAL_PASSWORD) as server:
        yield server.port


def test_percent_encoded_password_in_url_is_decoded(special_password_server: int) -> None:
    import clickhouse_connect

    # The server takes this password (checked directly) ...
    direct = clickhouse_connect.get_client(
        host="127.0.0.1", port=special_password_server, username="default", password=SPECIAL_PASSWORD
    )
    assert direct.command("SELECT 1") == 1
    direct.close()
    # ... so a client built from the percent-encoded URL must authenticate too.
    url = f"http://default:{quote(SPECIAL_PASSWORD, safe='')}@127.0.0.1:{special_password_server}/default"
    assert clickhouse_client(_settings(url)).command("SELECT 1") == 1
