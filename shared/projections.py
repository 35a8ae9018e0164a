"""Read-model projections applied by stream-triggered functions.

Every projection is idempotent by version: applying an event twice, or an old one after a new one,
leaves the read models unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.cache import CompanyCache
from shared.companies.aggregate import EVENT_TYPES as COMPANY_EVENTS
from shared.companies.model import Company
from shared.events import EventEnvelope
from shared.search import SearchIndex


class UnknownEvent(ValueError):
    """An event this projection cannot apply; the trigger sends it to the dead-letter destination."""


@dataclass
class ProjectionResult:
    cached: bool
    indexed: bool


def project_company(event: EventEnvelope, cache: CompanyCache, index: SearchIndex) -> ProjectionResult:
    if event.event_type not in COMPANY_EVENTS:
        raise UnknownEvent(f"company projection cannot apply {event.event_type}")
    company = Company.model_validate({**event.payload["company"], "version": event.version})
    if event.payload.get("deleted"):
        cached = cache.evict(str(company.id), company.version)
    else:
        cached = cache.put(company, changed=True)
    return ProjectionResult(cached=cached, indexed=index.upsert(company, deleted=bool(event.payload.get("deleted"))))
