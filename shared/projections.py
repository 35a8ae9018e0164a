"""Read-model projections applied by stream-triggered functions.

Every projection is idempotent by version: applying an event twice, or an old one after a new one,
leaves the read models unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shared.cache import CompanyCache
from shared.companies.events import CompanyDocument
from shared.events import EventEnvelope
from shared.search import SearchIndex


class UnknownEvent(ValueError):
    """An event this projection cannot apply; the trigger sends it to the dead-letter destination."""


@dataclass
class ProjectionResult:
    cached: int
    indexed: int


def project_companies(
    events: Sequence[EventEnvelope[Any]], cache: CompanyCache, index: SearchIndex
) -> ProjectionResult:
    """Apply a batch: only each company's latest version in it matters (earlier ones would be
    overwritten anyway), and the search index takes them in one bulk request."""
    latest: dict[str, EventEnvelope[CompanyDocument]] = {}
    for event in events:
        if not isinstance(event.payload, CompanyDocument):
            raise UnknownEvent(f"company projection cannot apply {event.event_type}")
        seen = latest.get(event.aggregate_id)
        if seen is None or event.version > seen.version:
            latest[event.aggregate_id] = event
    views = [(e.payload.company.model_copy(update={"version": e.version}), e.payload.deleted) for e in latest.values()]
    cached = sum(
        cache.evict(str(company.id), company.version) if deleted else cache.put(company, changed=True)
        for company, deleted in views
    )
    return ProjectionResult(cached=cached, indexed=index.upsert_many(views))


def project_company(event: EventEnvelope[Any], cache: CompanyCache, index: SearchIndex) -> ProjectionResult:
    return project_companies([event], cache, index)
