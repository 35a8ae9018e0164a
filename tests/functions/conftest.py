"""The functions tier's fixtures: the real servers of tests/servers.py, each started once per session on demand."""

from servers import clickhouse_url, closed_port, kafka_bootstrap, launcher, opensearch_url, pg, postgres_url, redis_url  # noqa: F401 - fixtures
