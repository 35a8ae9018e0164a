"""The Redis hot cache of company views on a real Redis: lookups, version guard and expiry."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from shared.cache import CompanyCache, redis_client
from shared.companies.model import Company

pytestmark = pytest.mark.integration

TTL_S = 120


def _company(version: int = 1, *, company_id: uuid.UUID | None = None, name: str = "Платежные сервисы") -> Company:
    now = datetime.now(UTC)
    cid = company_id or uuid.uuid4()
    return Company(
        id=cid,
        slug=f"platezhnye-servisy-{cid.hex[:8]}",
        name=name,
        industry="fintech",
        description="Эквайринг",
        integrations=["amocrm"],
        version=version,
        created_at=now,
        updated_at=now,
    )


@pytest.fixture
def cache(redis_url: str) -> CompanyCache:
    return CompanyCache(redis_client(redis_url), ttl_seconds=TTL_S)


def test_put_then_get_by_id_and_slug(cache: CompanyCache) -> None:
    company = _company()
    assert cache.get(str(company.id)) is None
    assert cache.get(company.slug) is None
    assert cache.put(company) is True
    assert cache.get(str(company.id)) == company
    assert cache.get(company.slug) == company
    assert cache.get(str(uuid.uuid4())) is None
    assert cache.get("no-such-slug") is None


def test_older_version_never_overwrites_newer(cache: CompanyCache) -> None:
    v3 = _company(3, name="Новое имя")
    assert cache.put(v3) is True
    stale = v3.model_copy(update={"version": 2, "name": "Старое имя"})
    assert cache.put(stale) is False
    assert cache.put(v3.model_copy(update={"name": "Тот же номер версии"})) is False  # equal version: kept
    assert cache.get(str(v3.id)) == v3
    assert cache.get(v3.slug) == v3

    v4 = v3.model_copy(update={"version": 4, "name": "Ещё новее"})
    assert cache.put(v4) is True
    assert cache.get(str(v3.id)) == v4


def test_entries_expire(cache: CompanyCache, redis_url: str) -> None:
    company = _company()
    assert cache.put(company)
    client = redis_client(redis_url)
    for key in (f"company:{company.id}", f"company:slug:{company.slug}"):
        ttl = client.ttl(key)
        assert isinstance(ttl, int)
        assert 0 < ttl <= TTL_S, key
    # A newer version renews the expiry.
    client.expire(f"company:{company.id}", 5)
    assert cache.put(company.model_copy(update={"version": 2}))
    assert 5 < client.ttl(f"company:{company.id}") <= TTL_S  # type: ignore[operator]


def test_slug_shaped_like_a_uuid_is_found_by_slug(cache: CompanyCache) -> None:
    """A 5-word name can give a 36-character slug with four hyphens; it is still a slug, not an id."""
    from shared.companies.slugs import slugify

    slug = slugify("Волга Транспорт Логистика Казань Юга")
    assert len(slug) == 36 and slug.count("-") == 4  # the shape of a UUID's text form
    company = _company().model_copy(update={"slug": slug})
    assert cache.put(company) is True
    assert cache.get(str(company.id)) == company
    assert cache.get(slug) == company
