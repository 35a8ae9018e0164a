"""The functions tier's fixtures: the real servers of tests/servers.py, each started once per session on demand,
and MiniStack (the local cloud's AWS emulator) for the functions that read a secret or send to a queue."""

from collections.abc import Iterator

import pytest
from functions.calls import JWT_KEYS_SECRET, publish_keys

import servers
from localcloud.servers import ministack
from servers import clickhouse_url, closed_port, kafka_bootstrap, launcher, opensearch_url, pg, postgres_url, redis_url  # noqa: F401 - fixtures
from shared.identity.keys import KeySet

servers.READY_TIMEOUT_S.setdefault("ministack", 30.0)


@pytest.fixture(scope="session")
def aws_endpoint(launcher: servers._Launcher) -> Iterator[str]:  # noqa: F811 - the session fixture imported above
    """MiniStack on loopback (Secrets Manager, SQS): the endpoint AWS_ENDPOINT_URL names for the functions."""
    with launcher.start("ministack", ministack) as server:
        yield f"http://127.0.0.1:{server.port}"


@pytest.fixture(scope="session")
def jwt_keys(aws_endpoint: str) -> KeySet:
    """The deployment's JWT key set in the emulator's Secrets Manager, under the settings' default secret name."""
    return publish_keys(aws_endpoint, JWT_KEYS_SECRET)
