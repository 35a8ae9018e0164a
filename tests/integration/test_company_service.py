"""The event-sourced company catalog on a real Postgres and Redis: commands, history, concurrency,
snapshots, slugs, uniqueness, ownership, verification results, the list and its caches."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date
from typing import Any, cast

import pytest

import shared.outbox
from shared.cache import CompanyCache, ListCache, redis_client
from shared.commands import Context
from shared.companies import event_store, service
from shared.companies.legal import inn_check_digits, ogrn_check_digit
from shared.companies.model import CompanyCreate, CompanyListQuery, CompanyPatch
from shared.db import connect
from shared.errors import Conflict, Forbidden, NotFound, Unprocessable
from shared.identity.guard import Principal
from shared.legal_registry.port import LegalRecord, LegalStatus
from shared.settings import Settings

pytestmark = pytest.mark.integration


def _db(url: str) -> Any:
    return cast(Any, connect(url))


@pytest.fixture
def settings(postgres_url: str, redis_url: str) -> Settings:
    return Settings(database_url=postgres_url, redis_url=redis_url)


@pytest.fixture
def cache(redis_url: str) -> CompanyCache:
    return CompanyCache(redis_client(redis_url), 300)


def _user(*, roles: tuple[str, ...] = ("paid_user",), company_id: str | None = None) -> Principal:
    permissions = ("admin:*",) if "platform_admin" in roles else ("company:read", "company:write")
    return Principal(
        user_id=str(uuid.uuid4()),
        email="u@example.ru",
        roles=roles,
        permissions=permissions,
        company_id=company_id,
        jti="j",
        iat=0,
        exp=0,
    )


def _ctx(principal: Principal | None) -> Context:
    return Context(principal=principal, correlation_id=f"corr-{uuid.uuid4().hex[:8]}")


def _identity(region: str = "77") -> tuple[str, str]:
    """A fresh valid (INN, OGRN) pair of an organisation."""
    body = region + f"{uuid.uuid4().int % 10**7:07d}"
    inn = body + inn_check_digits(body)
    ogrn_body = f"1{region}{uuid.uuid4().int % 10**9:09d}"[:12]
    return inn, ogrn_body + ogrn_check_digit(ogrn_body)


def _create(settings: Settings, owner: Principal, **fields: Any) -> Any:
    data = {"name": f"Платёжный Сервис {uuid.uuid4().hex[:8]}", "industry": "fintech", **fields}
    return service.create_company(settings, CompanyCreate.model_validate(data), _ctx(owner))


def test_create_writes_event_row_outbox_and_audit_in_one_transaction(settings: Settings, postgres_url: str) -> None:
    owner = _user()
    inn, ogrn = _identity()
    company = _create(settings, owner, inn=inn, ogrn=ogrn, kpp=inn[:4] + "01001", employees_count=42)
    assert company.version == 1 and company.slug.startswith("platyozhnyj-servis-")
    assert str(company.owner_id) == owner.user_id and company.employees_range == "11-50"
    with _db(postgres_url) as db:
        row = db.execute("SELECT inn, version, xmin::text AS tx FROM companies WHERE id = %s", (company.id,)).fetchone()
        event = db.execute(
            "SELECT event_type, version, payload, actor, xmin::text AS tx FROM company_events WHERE aggregate_id = %s",
            (company.id,),
        ).fetchone()
        message = db.execute(
            "SELECT topic, message_key, envelope, xmin::text AS tx FROM outbox WHERE message_key = %s",
            (str(company.id),),
        ).fetchone()
        audit = db.execute(
            "SELECT action, xmin::text AS tx FROM audit_log WHERE resource_id = %s", (str(company.id),)
        ).fetchone()
    assert row["inn"] == inn and row["version"] == 1
    assert event["event_type"] == "company.created" and event["actor"] == owner.user_id
    assert event["payload"]["fields"]["inn"] == inn  # the store keeps the delta
    assert message["topic"] == "company.events" and message["envelope"]["payload"]["company"]["inn"] == inn
    assert audit["action"] == "company.created"
    assert row["tx"] == event["tx"] == message["tx"] == audit["tx"]


def test_failed_outbox_append_writes_nothing(
    settings: Settings, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"Атомарная {uuid.uuid4().hex[:8]}"

    def broken(*_: Any) -> None:
        raise RuntimeError("outbox is unavailable")

    monkeypatch.setattr(shared.outbox, "append", broken)
    with pytest.raises(RuntimeError):
        _create(settings, _user(), name=name)
    with _db(postgres_url) as db:
        assert db.execute("SELECT count(*) AS n FROM companies WHERE name = %s", (name,)).fetchone()["n"] == 0
        found = db.execute(
            "SELECT count(*) AS n FROM company_events WHERE payload->'fields'->>'name' = %s", (name,)
        ).fetchone()
        assert found["n"] == 0
    monkeypatch.undo()
    assert _create(settings, _user(), name=name).name == name


def test_updates_are_versioned_and_the_history_shows_each_change(settings: Settings) -> None:
    owner = _user()
    company = _create(settings, owner, headquarters_city="Казань")
    first = service.update_company(settings, str(company.id), CompanyPatch(headquarters_city="Москва"), _ctx(owner))
    second = service.update_company(
        settings, company.slug, CompanyPatch(employees_count=120), _ctx(owner), expected_version=2
    )
    assert (first.version, second.version) == (2, 3)
    assert second.headquarters_city == "Москва" and second.employees_range == "51-200"

    history = service.company_history(settings, str(company.id))
    assert [e.event_type for e in history.events] == ["company.created", "company.updated", "company.updated"]
    assert history.events[1].payload["changes"] == {"headquarters_city": "Москва"}
    assert history.events[1].payload["previous"] == {"headquarters_city": "Казань"}
    assert [e.version for e in history.events] == [1, 2, 3]

    # A PATCH repeating current values appends nothing.
    same = service.update_company(settings, str(company.id), CompanyPatch(employees_count=120), _ctx(owner))
    assert same.version == 3


def test_stale_if_match_gets_409_with_the_current_version(settings: Settings) -> None:
    owner = _user()
    company = _create(settings, owner)
    service.update_company(settings, str(company.id), CompanyPatch(description="v2"), _ctx(owner), expected_version=1)
    with pytest.raises(Conflict) as caught:
        service.update_company(
            settings, str(company.id), CompanyPatch(description="stale"), _ctx(owner), expected_version=1
        )
    assert caught.value.extensions == {"current_version": 2}
    assert service.get_company(settings, str(company.id)).description == "v2"


def test_two_writers_of_one_version_cannot_both_append(settings: Settings, postgres_url: str) -> None:
    company = _create(settings, _user())
    state = event_store.rebuild(_db(postgres_url), str(company.id))
    assert state is not None
    from datetime import UTC, datetime

    import psycopg

    with _db(postgres_url) as a, _db(postgres_url) as b:
        for conn in (a, b):
            event = event_store.new_event("company.updated", 2, {"changes": {}, "previous": {}}, datetime.now(UTC))
            try:
                event_store.append(conn, event, company_id=str(company.id), actor=None, correlation_id=None)
                conn.commit()
            except psycopg.errors.UniqueViolation:
                conn.rollback()
                assert conn is b  # the second writer loses
            else:
                assert conn is a


def test_rename_gets_a_new_slug_and_the_old_one_still_resolves(settings: Settings, cache: CompanyCache) -> None:
    owner = _user()
    company = _create(settings, owner, name=f"Склад Логик {uuid.uuid4().hex[:6]}")
    renamed = service.update_company(
        settings, str(company.id), CompanyPatch(name=f"Доставка Плюс {uuid.uuid4().hex[:6]}"), _ctx(owner), cache=cache
    )
    assert renamed.slug != company.slug and renamed.slug.startswith("dostavka-plyus-")
    via_old = service.get_company(settings, company.slug, cache)
    assert via_old.id == company.id and via_old.slug == renamed.slug  # the handler turns this into a 301
    # Renaming back reuses the company's own former slug instead of inventing `-2`.
    back = service.update_company(settings, str(company.id), CompanyPatch(name=company.name), _ctx(owner))
    assert back.slug == company.slug


def test_concurrent_creates_with_one_name_get_distinct_slugs(settings: Settings, postgres_url: str) -> None:
    name = f"Concurrent {uuid.uuid4().hex[:8]}"
    base = name.lower().replace(" ", "-")
    with _db(postgres_url) as first:
        first.execute("INSERT INTO company_slugs (slug, company_id) VALUES (%s, %s)", (base, uuid.uuid4()))
        outcome: dict[str, Any] = {}
        thread = threading.Thread(target=lambda: outcome.update(company=_create(settings, _user(), name=name)))
        thread.start()
        time.sleep(0.5)  # the second writer is now waiting on the first's slug
        first.commit()
        thread.join(20)
    assert outcome["company"].slug == f"{base}-2"


def test_duplicate_inn_or_ogrn_is_a_conflict_naming_the_existing_company(settings: Settings) -> None:
    owner = _user()
    inn, ogrn = _identity("78")
    first = _create(settings, owner, inn=inn, ogrn=ogrn)
    with pytest.raises(Conflict) as by_inn:
        _create(settings, _user(), inn=inn)
    assert by_inn.value.field == "inn" and by_inn.value.extensions == {"existing_id": str(first.id)}
    other_inn, _ = _identity("78")
    with pytest.raises(Conflict) as by_ogrn:
        _create(settings, _user(), inn=other_inn, ogrn=ogrn)
    assert by_ogrn.value.field == "ogrn"

    # Deleted companies free their INN; restoring one whose INN was taken meanwhile is refused.
    service.delete_company(settings, str(first.id), _ctx(owner))
    second = _create(settings, _user(), inn=inn)
    with pytest.raises(Conflict) as restore:
        service.restore_company(settings, str(first.id), _ctx(owner))
    assert restore.value.extensions == {"existing_id": str(second.id)}


def test_delete_hides_the_company_and_restore_brings_it_back(settings: Settings, cache: CompanyCache) -> None:
    owner = _user()
    company = _create(settings, owner)
    assert service.get_company(settings, str(company.id), cache).version == 1  # cached now
    service.delete_company(settings, str(company.id), _ctx(owner), expected_version=1, cache=cache)
    for key in (str(company.id), company.slug):
        with pytest.raises(NotFound):
            service.get_company(settings, key, cache)
    with pytest.raises(NotFound):
        service.update_company(settings, str(company.id), CompanyPatch(description="x"), _ctx(owner))
    restored = service.restore_company(settings, str(company.id), _ctx(owner), cache=cache)
    assert restored.version == 3
    assert service.get_company(settings, company.slug, cache).version == 3
    with pytest.raises(Conflict):
        service.restore_company(settings, str(company.id), _ctx(owner))


def test_only_the_owner_their_company_admin_or_a_platform_admin_may_change_it(settings: Settings) -> None:
    owner = _user()
    company = _create(settings, owner)
    with pytest.raises(Forbidden):
        service.update_company(settings, str(company.id), CompanyPatch(description="x"), _ctx(_user()))
    with pytest.raises(Forbidden):
        service.delete_company(settings, str(company.id), _ctx(_user()))
    member = _user(roles=("company_admin",), company_id=str(company.id))
    assert service.update_company(settings, str(company.id), CompanyPatch(description="a"), _ctx(member)).version == 2
    admin = _user(roles=("platform_admin",))
    assert service.update_company(settings, str(company.id), CompanyPatch(description="b"), _ctx(admin)).version == 3


def test_identity_rules_hold_across_partial_updates(settings: Settings) -> None:
    owner = _user()
    inn, ogrn = _identity()
    company = _create(settings, owner, inn=inn, ogrn=ogrn, kpp=inn[:4] + "01001")
    ogrnip_body = "3" + f"{uuid.uuid4().int % 10**13:013d}"
    with pytest.raises(Unprocessable) as caught:  # an organisation's INN with a sole trader's OGRNIP
        service.update_company(
            settings, str(company.id), CompanyPatch(ogrn=ogrnip_body + ogrn_check_digit(ogrnip_body)), _ctx(owner)
        )
    assert caught.value.field == "ogrn"
    with pytest.raises(Unprocessable):
        service.update_company(settings, str(company.id), CompanyPatch.model_validate({"name": None}), _ctx(owner))


def test_snapshots_make_rebuild_read_fewer_events_with_the_same_result(settings: Settings, postgres_url: str) -> None:
    owner = _user()
    company = _create(settings, owner)
    for n in range(1, 121):
        service.update_company(settings, str(company.id), CompanyPatch(employees_count=n), _ctx(owner))
    with _db(postgres_url) as db:
        versions = [r["version"] for r in db.execute(
            "SELECT version FROM company_snapshots WHERE aggregate_id = %s ORDER BY version", (company.id,)
        ).fetchall()]  # fmt: skip
        with_snapshots = event_store.rebuild(db, str(company.id))
        without = event_store.rebuild(db, str(company.id), use_snapshots=False)
    assert versions == [50, 100]
    assert with_snapshots is not None and without is not None
    assert with_snapshots.view() == without.view() == service.get_company(settings, str(company.id))
    assert with_snapshots.version == 121


def _record(inn: str, ogrn: str, status: LegalStatus = LegalStatus.active) -> LegalRecord:
    return LegalRecord(
        inn=inn,
        ogrn=ogrn,
        kpp=inn[:4] + "01001",
        legal_name='ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ТЕСТ"',
        short_name='ООО "ТЕСТ"',
        legal_address="119021, г Москва, ул Льва Толстого, д 16",
        status=status,
        kind="legal",
        registration_date=date(2010, 1, 1),
        liquidation_date=None,
        source="dadata",
    )


def test_verification_results_are_recorded_once(settings: Settings) -> None:
    owner = _user()
    inn, ogrn = _identity()
    company = _create(settings, owner, inn=inn)
    system = Context(actor_label=service.SYSTEM_VERIFIER)
    verified = service.record_verification(settings, str(company.id), inn, _record(inn, ogrn), system)
    assert verified is not None and verified.is_verified and verified.ogrn == ogrn
    assert verified.legal_status == "active" and verified.kpp == inn[:4] + "01001"
    # A redelivered answer changes nothing; an answer about a former INN is ignored.
    assert service.record_verification(settings, str(company.id), inn, _record(inn, ogrn), system) is None
    assert service.record_verification(settings, str(company.id), "7736207543", None, system) is None
    history = service.company_history(settings, str(company.id))
    assert [e.event_type for e in history.events] == ["company.created", "company.verified"]


def test_verification_failure_and_liquidated_status(settings: Settings) -> None:
    owner = _user()
    inn, ogrn = _identity()
    company = _create(settings, owner, inn=inn)
    system = Context(actor_label=service.SYSTEM_VERIFIER)
    failed = service.record_verification(settings, str(company.id), inn, None, system)
    assert failed is not None and not failed.is_verified and "ЕГРЮЛ" in (failed.verification_error or "")
    liquidated = service.record_verification(
        settings, str(company.id), inn, _record(inn, ogrn, LegalStatus.liquidated), system
    )
    assert liquidated is not None and liquidated.legal_status == "liquidated" and liquidated.verification_error is None


def test_changing_the_inn_drops_the_old_verification(settings: Settings) -> None:
    owner = _user()
    inn, ogrn = _identity()
    company = _create(settings, owner, inn=inn)
    service.record_verification(settings, str(company.id), inn, _record(inn, ogrn), Context(actor_label="system"))
    new_inn, _ = _identity()
    changed = service.update_company(settings, str(company.id), CompanyPatch(inn=new_inn), _ctx(owner))
    assert not changed.is_verified and changed.legal_name is None
    assert changed.ogrn is None and changed.kpp is None  # they were the former legal entity's


def _marker() -> str:
    """An integration code of the test's own (companies must name a real industry): the list filtered by it
    holds the test's companies alone, whatever other tests wrote to the shared table."""
    return f"test_{uuid.uuid4().hex[:10]}"


def test_list_filters_sorts_and_pages_without_repeats(settings: Settings) -> None:
    owner = _user()
    marker = _marker()
    made = [
        _create(
            settings,
            owner,
            integrations=[marker],
            employees_count=n * 10,
            headquarters_city="Казань" if n % 2 else "Москва",
            funding_stage="seed" if n < 4 else "series_a",
            sub_industries=["payments"] if n % 3 == 0 else ["lending"],
        )
        for n in range(1, 8)
    ]
    query = CompanyListQuery.model_validate({"integration": marker, "sort": "employees_count", "limit": 3})
    seen, cursor, pages = [], None, 0
    while True:
        page = service.list_companies(settings, query.model_copy(update={"cursor": cursor}))
        seen += [c.employees_count for c in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [10, 20, 30, 40, 50, 60, 70] and pages == 3

    def ids(**filters: Any) -> set[str]:
        q = CompanyListQuery.model_validate({"integration": marker, **filters})
        return {str(c.id) for c in service.list_companies(settings, q).items}

    by_n = {c.employees_count // 10: str(c.id) for c in made}
    assert ids(city="казань") == {by_n[n] for n in (1, 3, 5, 7)}
    assert ids(employees_min=30, employees_max=50) == {by_n[n] for n in (3, 4, 5)}
    assert ids(funding_stage="seed") == {by_n[n] for n in (1, 2, 3)}
    assert ids(sub_industry="payments,nothing") == {by_n[n] for n in (3, 6)}
    assert ids(verified=True) == set()
    newest_first = service.list_companies(settings, CompanyListQuery.model_validate({"integration": marker}))
    assert [str(c.id) for c in newest_first.items] == [str(c.id) for c in reversed(made)]


def test_a_cursor_from_another_sort_is_refused(settings: Settings) -> None:
    marker = _marker()
    for _ in range(3):
        _create(settings, _user(), integrations=[marker])
    page = service.list_companies(settings, CompanyListQuery(integration=[marker], limit=1))
    assert page.next_cursor
    with pytest.raises(Unprocessable) as caught:
        service.list_companies(settings, CompanyListQuery(integration=[marker], sort="name", cursor=page.next_cursor))
    assert caught.value.field == "cursor"
    with pytest.raises(Unprocessable):
        service.list_companies(settings, CompanyListQuery(integration=[marker], cursor="garbage!"))


def test_list_pages_are_cached_until_any_company_changes(
    settings: Settings, redis_url: str, cache: CompanyCache
) -> None:
    owner = _user()
    marker = _marker()
    company = _create(settings, owner, integrations=[marker], description="до")
    pages = ListCache(redis_client(redis_url), 3600)
    query = CompanyListQuery(integration=[marker])
    assert service.list_companies(settings, query, pages).items[0].description == "до"
    # Served from Redis now: a change behind the service's back is not seen...
    with _db(settings.database_url) as db:
        db.execute("UPDATE companies SET description = 'в обход' WHERE id = %s", (company.id,))
        db.commit()
    assert service.list_companies(settings, query, pages).items[0].description == "до"
    # ...but any change through the service invalidates every cached page.
    service.update_company(settings, str(company.id), CompanyPatch(description="после"), _ctx(owner), cache=cache)
    assert service.list_companies(settings, query, pages).items[0].description == "после"
