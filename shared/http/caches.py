"""The read-model caches as handler dependencies: one client per warm function (shared/cache.py)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Depends

from shared.cache import CompanyCache, ListCache, ViewCounter
from shared.cache import company_cache as _company_cache
from shared.cache import list_cache as _list_cache
from shared.cache import view_counter as _view_counter
from shared.settings import get_settings


def company_cache() -> CompanyCache:
    settings = get_settings()
    return _company_cache(settings.redis_url, settings.cache_ttl_seconds)


def list_cache() -> ListCache:
    settings = get_settings()
    return _list_cache(settings.redis_url, settings.list_cache_ttl_seconds)


def view_counter() -> ViewCounter:
    return _view_counter(get_settings().redis_url)


Companies = Annotated[CompanyCache, Depends(company_cache)]
CompanyLists = Annotated[ListCache, Depends(list_cache)]
Views = Annotated[ViewCounter, Depends(view_counter)]
