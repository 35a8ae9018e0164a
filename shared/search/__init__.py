"""Search read model: one port, a Postgres adapter (embedded profile) and an OpenSearch adapter."""

from __future__ import annotations

from typing import Protocol

from shared.companies.model import Company, SearchHit
from shared.settings import Settings


class SearchIndex(Protocol):
    backend: str

    def upsert(self, company: Company, *, deleted: bool = False) -> bool:
        """Index a company view (a deleted one is kept but never found, so versions still order writes);
        a stale version (<= the indexed one) is ignored and returns False."""

    def upsert_many(self, companies: list[tuple[Company, bool]]) -> int:
        """`upsert` for (company, deleted) pairs in one round trip; returns how many were applied."""

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Best matches for free text."""

    def ping(self) -> None:
        """Raise when the backend is unreachable."""


def search_index(settings: Settings) -> SearchIndex:
    """The adapter the settings choose; imports only that adapter's client."""
    if settings.search_backend == "opensearch":
        from shared.search.opensearch_index import OpenSearchIndex

        return OpenSearchIndex(settings.require("opensearch_url"))
    from shared.search.postgres_index import PostgresIndex

    return PostgresIndex(settings.database_url)
