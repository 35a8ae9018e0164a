"""Company page views (`companies.view_count`): counted in Redis per read, flushed to Postgres in batches.

A view is not a domain event (no history, no outbox): counting it in the event store would make every
read a write. Postgres keeps the total for lists, rebuilds and a Redis restart; the flush only ever
raises it (`GREATEST`), so a late or repeated flush cannot lower a count.
"""

from __future__ import annotations

from shared.cache import ViewCounter
from shared.companies.model import Company
from shared.db import connection
from shared.settings import Settings


def count_view(counter: ViewCounter, company: Company) -> Company:
    """The company as this reader sees it: with this view counted."""
    return company.model_copy(update={"view_count": counter.hit(str(company.id), company.view_count)})


def flush_views(settings: Settings, counter: ViewCounter, *, batch: int = 1000) -> int:
    """Write the totals of companies viewed since the last flush; returns how many were written."""
    written = 0
    while changed := counter.take_changed(batch):
        try:
            conn = connection(settings.database_url)
            with conn.transaction():
                conn.execute(
                    "UPDATE companies c SET view_count = GREATEST(c.view_count, v.total) "
                    "FROM unnest(%s::uuid[], %s::int[]) AS v(id, total) WHERE c.id = v.id",
                    (list(changed), list(changed.values())),
                )
        except Exception:
            counter.mark_changed(list(changed))
            raise
        written += len(changed)
    return written
