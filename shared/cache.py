"""Redis hot cache of company views (seed "Caching Strategy", L1: 5 minutes).

Entries carry the aggregate version; a write never replaces a newer entry with an older one, so
out-of-order or repeated projections cannot make the cache go backwards.
"""

from __future__ import annotations

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
redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[3])
return 1
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

    def put(self, company: Company) -> bool:
        """True when stored, False when the cache already held this or a newer version."""
        stored = self._put(
            keys=[f"company:{company.id}", f"company:slug:{company.slug}"],
            args=[company.version, company.model_dump_json(), self._ttl, str(company.id)],
        )
        return bool(stored)


def _looks_like_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
