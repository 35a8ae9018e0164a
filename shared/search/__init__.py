"""Search read model: one port, a Postgres adapter (embedded profile) and an OpenSearch adapter.

The adapters are the full-text side of `GET /v1/search`; shared/search/hybrid.py fuses them with the
semantic side (pgvector) and makes the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from shared.companies.model import Company, CompanyFilters, SearchHit
from shared.search.model import Highlight, TextMatches
from shared.settings import Settings


class SearchIndex(Protocol):
    backend: str

    def upsert(self, company: Company, *, deleted: bool = False) -> bool:
        """Index a company view (a deleted one is kept but never found, so versions still order writes);
        a stale version (<= the indexed one) is ignored and returns False."""

    def upsert_many(self, companies: list[tuple[Company, bool]]) -> int:
        """`upsert` for (company, deleted) pairs in one round trip; returns how many were applied."""

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Best matches for free text (`match` without filters)."""

    def match(self, query: str, filters: CompanyFilters, limit: int) -> TextMatches:
        """The best `limit` live companies matching `query` under `filters`, best first, with how many matched
        in all; misspelt words are tolerated (fuzziness, or a trigram fallback when nothing matches exactly)."""

    def highlight(self, query: str, ids: Sequence[str]) -> dict[str, Highlight]:
        """Snippets of these companies' name and description with `query`'s words marked (by id)."""

    def ping(self) -> None:
        """Raise when the backend is unreachable."""


def search_index(settings: Settings) -> SearchIndex:
    """The adapter the settings choose; imports only that adapter's client."""
    if settings.search_backend == "opensearch":
        from shared.search.opensearch_index import OpenSearchIndex

        return OpenSearchIndex(settings.require("opensearch_url"))
    from shared.search.postgres_index import PostgresIndex

    return PostgresIndex(settings.database_url)
