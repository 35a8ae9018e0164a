"""Redis caches of the company read side (seed "Caching Strategy").

L1, a company by id or slug (5 minutes): entries carry the aggregate version and a write never
replaces a newer entry with an older one, so out-of-order or repeated projections cannot make the
cache go backwards; a deleted company leaves a bodiless entry at its version for the same reason.
L2, list pages (1 hour): keyed under a generation number that every company change bumps, which
invalidates every cached page in one INCR instead of a wildcard delete.
Counters: a company's page views (`view_count`) are counted here on every read, where an increment is
one round trip, and written to Postgres by a scheduled flush (`shared.companies.views`).
"""

from __future__ import annotations

import functools
import uuid
from typing import TYPE_CHECKING

from shared.companies.model import Company

if TYPE_CHECKING:
    import redis

# Compare-and-set on version in one round trip: SET only if absent or older. Keys: id, slug alias.
_PUT_IF_NEWER = """
local current = redis.call('HGET', KEYS[1], 'version')
if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'body', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[3]) end
if ARGV[5] == '1' then redis.call('INCR', KEYS[3]) end
return 1
"""

# A page under the current generation, in one round trip: returns {generation, page or false}.
_GET_PAGE = """
local gen = redis.call('GET', KEYS[1]) or '0'
return {gen, redis.call('GET', ARGV[1] .. gen .. ':' .. ARGV[2])}
"""
LIST_GENERATION = "companies:list:gen"

# One view: seed the counter from Postgres when Redis has none (a restart, an eviction), count, and
# mark the company for the next flush. Returns the new total.
_COUNT_VIEW = """
redis.call('SET', KEYS[1], ARGV[1], 'NX')
local n = redis.call('INCR', KEYS[1])
redis.call('SADD', KEYS[2], ARGV[2])
return n
"""

_clients: dict[str, redis.Redis] = {}


def redis_client(url: str) -> redis.Redis:
    client = _clients.get(url)
    if client is None:
        import redis as redis_lib

        client = _clients[url] = redis_lib.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return client


class CompanyCache:
    def __init__(self, client: redis.Redis, ttl_seconds: int) -> None:
        self._redis = client
        self._ttl = ttl_seconds
        self._put = client.register_script(_PUT_IF_NEWER)

    def get(self, key: str) -> Company | None:
        company_id = key
        if not _looks_like_uuid(key):
            alias = self._redis.get(f"company:slug:{key}")
            if alias is None:
                return None
            company_id = alias.decode() if isinstance(alias, bytes) else str(alias)
        body = self._redis.hget(f"company:{company_id}", "body")
        return Company.model_validate_json(body) if body else None  # type: ignore[arg-type]

    def put(self, company: Company, *, changed: bool = False) -> bool:
        """True when stored, False when the cache already held this or a newer version.

        `changed` (a write, not a read-through fill) also invalidates every cached list page.
        """
        stored = self._put(
            keys=[f"company:{company.id}", f"company:slug:{company.slug}", LIST_GENERATION],
            args=[company.version, company.model_dump_json(), self._ttl, str(company.id), "1" if changed else "0"],
        )
        return bool(stored)

    def evict(self, company_id: str, version: int) -> bool:
        """The company is gone as of `version`: readers miss, and older versions cannot come back."""
        stored = self._put(
            keys=[f"company:{company_id}", f"company:slug:{company_id}", LIST_GENERATION],
            args=[version, "", self._ttl, company_id, "1"],
        )
        return bool(stored)


class ListCache:
    """Pages of `GET /v1/companies` by canonical query, valid until any company changes."""

    PREFIX = "companies:list:"

    def __init__(self, client: redis.Redis, ttl_seconds: int) -> None:
        self._redis = client
        self._ttl = ttl_seconds
        self._get = client.register_script(_GET_PAGE)

    def get(self, query_key: str) -> tuple[str, bytes | None]:
        """(generation, cached page or None)."""
        generation, page = self._get(keys=[LIST_GENERATION], args=[self.PREFIX, query_key])
        gen = generation.decode() if isinstance(generation, bytes) else str(generation)
        return gen, page or None

    def put(self, generation: str, query_key: str, page: bytes) -> None:
        self._redis.set(f"{self.PREFIX}{generation}:{query_key}", page, ex=self._ttl)

    def invalidate(self) -> None:
        self._redis.incr(LIST_GENERATION)


class ViewCounter:
    """Page views per company: the live total in Redis, Postgres catching up on each flush."""

    DIRTY = "company:views:dirty"

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client
        self._count = client.register_script(_COUNT_VIEW)

    @staticmethod
    def key(company_id: str) -> str:
        return f"company:views:{company_id}"

    def hit(self, company_id: str, persisted: int) -> int:
        """Count one view; `persisted` is Postgres's count, the floor when Redis has lost the counter."""
        return int(self._count(keys=[self.key(company_id), self.DIRTY], args=[persisted, company_id]))

    def take_changed(self, limit: int = 1000) -> dict[str, int]:
        """Up to `limit` companies viewed since the last take, with their totals. A view counted after the
        take marks the company again, so the next flush writes the newer total."""
        members = self._redis.spop(self.DIRTY, limit) or []
        ids = [m.decode() if isinstance(m, bytes) else str(m) for m in members]
        if not ids:
            return {}
        totals = self._redis.mget([self.key(i) for i in ids])
        return {i: int(t) for i, t in zip(ids, totals, strict=True) if t is not None}  # type: ignore[arg-type]

    def mark_changed(self, company_ids: list[str]) -> None:
        """Give ids back after a failed flush, so their totals are written next time."""
        if company_ids:
            self._redis.sadd(self.DIRTY, *company_ids)


def _looks_like_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@functools.cache
def company_cache(redis_url: str, ttl_seconds: int) -> CompanyCache:
    """One L1 cache per warm function (scripts are registered once)."""
    return CompanyCache(redis_client(redis_url), ttl_seconds)


@functools.cache
def list_cache(redis_url: str, ttl_seconds: int) -> ListCache:
    return ListCache(redis_client(redis_url), ttl_seconds)


@functools.cache
def view_counter(redis_url: str) -> ViewCounter:
    return ViewCounter(redis_client(redis_url))
