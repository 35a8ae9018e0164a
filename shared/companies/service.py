"""Company use cases: handlers call these, these call ports."""

from __future__ import annotations

from shared.audit import RequestOrigin
from shared.cache import CompanyCache
from shared.companies import store
from shared.companies.model import Company, CompanyCreate
from shared.db import connection
from shared.errors import NotFound
from shared.settings import Settings


def create_company(
    settings: Settings,
    command: CompanyCreate,
    *,
    actor: str | None = None,
    correlation_id: str | None = None,
    origin: RequestOrigin | None = None,
) -> Company:
    company, _ = store.insert_company(
        connection(settings.database_url), command, actor=actor, correlation_id=correlation_id, origin=origin
    )
    return company


def get_company(settings: Settings, key: str, cache: CompanyCache | None = None) -> Company:
    """Read-through: the projection fills the cache; a miss falls back to Postgres."""
    if cache is not None:
        cached = cache.get(key)
        if cached is not None:
            return cached
    company = store.load_company(connection(settings.database_url), key)
    if company is None:
        raise NotFound(f"company {key} not found", field="id")
    if cache is not None:
        cache.put(company)
    return company
