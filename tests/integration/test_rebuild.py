"""`algoarts rebuild` against real servers: what a rebuild writes must equal what the projections wrote.

Companies are made through the company service (create, update, rename, delete, restore, verify, and
one with enough updates for a snapshot); the projections are applied to their outbox messages exactly
as ProjectCompanyFunction would; then a read model is corrupted or dropped, rebuilt from the event
store, and compared with what the projections had produced. The database is shared with the other
integration tests, so the rebuild covers their companies too: the checks compare ours and count all.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, cast

import pytest

import shared.rebuild as replay
from algoarts_ops import local_cloud
from algoarts_ops.rebuild import search_postgres
from algoarts_ops.rebuild.cache import rebuild_cache
from algoarts_ops.rebuild.companies import CONFLICT_SLUG_PREFIX, rebuild_companies
from algoarts_ops.rebuild.search_opensearch import rebuild_opensearch
from localcloud.cli import main
from shared.cache import CompanyCache, ListCache, redis_client
from shared.commands import Context
from shared.companies import service, store
from shared.companies.legal import inn_check_digits, ogrn_check_digit
from shared.companies.model import CompanyCreate, CompanyPatch
from shared.db import connect
from shared.events import parse_event
from shared.legal_registry.port import LegalRecord, LegalStatus
from shared.projections import project_company
from shared.search import SearchIndex
from shared.search.opensearch_index import ALIAS, OpenSearchIndex
from shared.search.postgres_index import PostgresIndex
from shared.settings import Settings

pytestmark = pytest.mark.integration

SNAPSHOT_UPDATES = 55  # past event_store.SNAPSHOT_EVERY: that company is folded from a snapshot


def _db(url: str) -> Any:
    return cast(Any, connect(url))


def _ctx() -> Context:
    return Context(actor_label="system:test", correlation_id=f"corr-{uuid.uuid4().hex[:8]}")


def _identity() -> tuple[str, str]:
    body = "77" + f"{uuid.uuid4().int % 10**7:07d}"
    inn = body + inn_check_digits(body)
    ogrn_body = f"177{uuid.uuid4().int % 10**9:09d}"[:12]
    return inn, ogrn_body + ogrn_check_digit(ogrn_body)


def _create(settings: Settings, name: str, **fields: Any) -> str:
    command = CompanyCreate.model_validate({"name": name, "industry": "fintech", **fields})
    return str(service.create_company(settings, command, _ctx()).id)


@pytest.fixture
def settings(postgres_url: str, redis_url: str) -> Settings:
    return Settings(database_url=postgres_url, redis_url=redis_url)


@pytest.fixture
def made(settings: Settings) -> dict[str, str]:
    """Our companies by role, each taken through its own commands."""
    tag = uuid.uuid4().hex[:6]
    ids = {
        "plain": _create(settings, f"Облачная бухгалтерия {tag}", description="Учёт и отчётность для малого бизнеса"),
        "renamed": _create(settings, f"Доставка цветов {tag}", employees_count=12),
        "deleted": _create(settings, f"Закрытый сервис {tag}"),
        "restored": _create(settings, f"Вернувшийся сервис {tag}"),
        "busy": _create(settings, f"Часто меняемая {tag}"),
    }
    service.update_company(
        settings, ids["renamed"], CompanyPatch(name=f"Цветочная лавка {tag}", employees_count=300), _ctx()
    )
    service.delete_company(settings, ids["deleted"], _ctx())
    service.delete_company(settings, ids["restored"], _ctx())
    service.restore_company(settings, ids["restored"], _ctx())
    for n in range(SNAPSHOT_UPDATES):
        service.update_company(settings, ids["busy"], CompanyPatch(employees_count=n + 1), _ctx())
    inn, ogrn = _identity()
    ids["verified"] = _create(settings, f"Проверенная компания {tag}", inn=inn, ogrn=ogrn)
    record = LegalRecord(
        inn=inn,
        ogrn=ogrn,
        kpp=inn[:4] + "01001",
        legal_name='ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ТЕСТ"',
        short_name='ООО "ТЕСТ"',
        legal_address="119021, г Москва, ул Льва Толстого, д 16",
        status=LegalStatus.active,
        kind="legal",
        registration_date=date(2010, 1, 1),
        liquidation_date=None,
        source="dadata",
    )
    assert service.record_verification(settings, ids["verified"], inn, record, _ctx()) is not None
    return ids


def _project(postgres_url: str, ids: dict[str, str], cache: CompanyCache, index: SearchIndex) -> None:
    """Apply our companies' outbox messages in order, as ProjectCompanyFunction does."""
    with _db(postgres_url) as db:
        rows = db.execute(
            "SELECT envelope FROM outbox WHERE message_key = ANY(%s) ORDER BY id", (list(ids.values()),)
        ).fetchall()
    assert len(rows) >= len(ids)
    for row in rows:
        project_company(parse_event(row["envelope"]), cache, index)


def _snapshot_count(postgres_url: str, company_id: str) -> int:
    with _db(postgres_url) as db:
        return int(
            db.execute("SELECT count(*) AS n FROM company_snapshots WHERE aggregate_id = %s", (company_id,)).fetchone()[
                "n"
            ]
        )


def _aggregates(postgres_url: str) -> int:
    with _db(postgres_url) as db:
        return replay.count_aggregates(db)


def _after_last_batch(monkeypatch: pytest.MonkeyPatch, action: Callable[[], object]) -> None:
    """Run `action` (a command) once the rebuild has written every batch, before it swaps: an event appended
    to an aggregate already written."""
    original = replay.aggregate_id_batches

    def batches(conn: Any, batch: int = replay.DEFAULT_BATCH) -> Iterator[list[str]]:
        yield from original(conn, batch)
        action()

    monkeypatch.setattr(replay, "aggregate_id_batches", batches)


# --- the domain replay -------------------------------------------------------------------------------


def test_replay_folds_every_aggregate_like_the_event_store_does(postgres_url: str, made: dict[str, str]) -> None:
    from shared.companies import event_store

    assert _snapshot_count(postgres_url, made["busy"]) >= 1
    with _db(postgres_url) as db:
        states = {s.id: s for batch in replay.replay(db, batch=2) for s in batch}
        assert len(states) == replay.count_aggregates(db)
        for company_id in made.values():
            one_by_one = event_store.rebuild(db, company_id)
            assert one_by_one is not None
            assert states[company_id] == one_by_one
            assert replay.fold_many(db, [company_id], use_snapshots=False) == [one_by_one]
        assert replay.fold_many(db, [str(uuid.uuid4())]) == []
    assert states[made["deleted"]].deleted and not states[made["restored"]].deleted
    assert states[made["busy"]].version == SNAPSHOT_UPDATES + 1


# --- companies -----------------------------------------------------------------------------------


def _company_rows(postgres_url: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    with _db(postgres_url) as db:
        rows = db.execute(
            f"SELECT {store.VIEW_COLUMNS}, deleted_at FROM companies WHERE id = ANY(%s::uuid[])", (ids,)
        ).fetchall()
    return {str(r["id"]): dict(r) for r in rows}


def test_rebuild_companies_restores_the_rows_the_commands_wrote(
    postgres_url: str, made: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    ids = list(made.values())
    expected = _company_rows(postgres_url, ids)
    assert len(expected) == len(ids)
    plain_slug, verified_inn = expected[made["plain"]]["slug"], expected[made["verified"]]["inn"]
    with _db(postgres_url) as db:
        db.execute("UPDATE companies SET name = 'Испорчено', version = 99 WHERE id = %s", (made["renamed"],))
        db.execute("UPDATE companies SET deleted_at = NULL, employees_count = 7 WHERE id = %s", (made["deleted"],))
        db.execute("UPDATE companies SET slug = %s WHERE id = %s", (f"x-{uuid.uuid4().hex}", made["restored"]))
        db.execute("DELETE FROM companies WHERE id = ANY(%s::uuid[])", ([made["plain"], made["verified"]],))
        # A row without events holding the slug and the INN of the missing ones: the rebuild takes them back.
        orphan = db.execute(
            "INSERT INTO companies (slug, name, industry, inn) VALUES (%s, 'Без событий', 'fintech', %s) RETURNING id",
            (plain_slug, verified_inn),
        ).fetchone()["id"]
        db.commit()

    report = rebuild_companies(postgres_url, batch=2)

    assert _company_rows(postgres_url, ids) == expected
    assert report.aggregates == _aggregates(postgres_url) == report.written
    assert report.missing == 2 and report.repaired >= 5 and report.conflicts == 2
    assert report.orphans >= 1  # counted, otherwise left alone
    with _db(postgres_url) as db:
        row = db.execute("SELECT name, slug, inn FROM companies WHERE id = %s", (orphan,)).fetchone()
    assert row == {"name": "Без событий", "slug": f"{CONFLICT_SLUG_PREFIX}{orphan}", "inn": None}
    # A second run finds nothing to repair; through the CLI, with the plain counter (not a TTY).
    assert main(["rebuild", "companies", "--database-url", postgres_url, "--batch", "3"]) == 0
    out, err = capsys.readouterr()
    assert "rebuilt companies" in out and "differed" not in out
    assert "rebuild companies: " in err
    assert _company_rows(postgres_url, ids) == expected


def test_rebuild_companies_serves_commands_afterwards(settings: Settings, made: dict[str, str]) -> None:
    with _db(settings.database_url) as db:
        db.execute("DELETE FROM companies WHERE id = %s", (made["plain"],))
        db.commit()
    with pytest.raises(Exception, match="not found"):
        service.get_company(settings, made["plain"])
    rebuild_companies(settings.database_url)
    company = service.update_company(settings, made["plain"], CompanyPatch(employees_count=40), _ctx())
    assert company.version == 2 and company.employees_range == "11-50"


# --- search: Postgres ----------------------------------------------------------------------------


def _search_rows(postgres_url: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    with _db(postgres_url) as db:
        rows = db.execute(
            "SELECT company_id::text AS id, version, name, industry, document, deleted, search_vector::text AS sv "
            "FROM company_search WHERE company_id = ANY(%s::uuid[])",
            (ids,),
        ).fetchall()
    return {r["id"]: dict(r) for r in rows}


def _table_shape(postgres_url: str) -> tuple[set[str], set[str], set[str]]:
    """(index names, trigger names, constraint names) of company_search."""
    with _db(postgres_url) as db:
        indexes = {r["indexname"] for r in db.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'company_search'"
        ).fetchall()}  # fmt: skip
        triggers = {r["tgname"] for r in db.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'company_search'::regclass AND NOT tgisinternal"
        ).fetchall()}  # fmt: skip
        constraints = {r["conname"] for r in db.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'company_search'::regclass"
        ).fetchall()}  # fmt: skip
    return indexes, triggers, constraints


def test_rebuild_postgres_search_equals_the_projection(
    settings: Settings, made: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = settings.database_url
    index = PostgresIndex(url)
    _project(url, made, CompanyCache(redis_client(settings.redis_url), 300), index)
    ids = list(made.values())
    expected = _search_rows(url, ids)
    assert len(expected) == len(ids)
    shape = _table_shape(url)
    assert "idx_company_search_fts" in shape[0] and "company_search_pkey" in shape[2]
    junk = str(uuid.uuid4())
    with _db(url) as db:
        db.execute("UPDATE company_search SET name = 'Испорчено', version = 1 WHERE company_id = %s", (made["plain"],))
        db.execute("DELETE FROM company_search WHERE company_id = %s", (made["verified"],))
        db.execute(
            "INSERT INTO company_search (company_id, version, name, industry, document, search_vector) "
            "VALUES (%s, 1, 'Мусорная запись', 'fintech', '{}', to_tsvector('russian', 'мусор'))",
            (junk,),
        )
        db.commit()

    report = search_postgres.rebuild_postgres_search(url, batch=3)

    assert _search_rows(url, ids) == expected
    assert report.aggregates == _aggregates(url) == report.written
    assert report.extra == 1 and report.missing >= 1 and report.repaired >= 2
    assert report.deleted >= 1 and report.live >= len(ids) - 1
    assert _table_shape(url) == shape  # indexes, the embedding trigger and the primary key keep their names
    with _db(url) as db:
        assert db.execute("SELECT 1 FROM company_search WHERE company_id = %s", (junk,)).fetchone() is None
        assert db.execute("SELECT to_regclass('company_search_new') AS t").fetchone()["t"] is None
        assert db.execute("SELECT count(*) AS n FROM company_search").fetchone()["n"] == report.aggregates
    plain = service.get_company(settings, made["plain"])
    assert made["plain"] in {str(h.id) for h in index.search(plain.name)}
    deleted_name = expected[made["deleted"]]["name"]
    assert made["deleted"] not in {str(h.id) for h in index.search(deleted_name)}

    # Events appended while the new table is being built are caught up before the swap.
    _after_last_batch(
        monkeypatch,
        lambda: service.update_company(settings, made["busy"], CompanyPatch(description="Новое описание"), _ctx()),
    )
    again = search_postgres.rebuild_postgres_search(url, batch=2)
    assert again.caught_up >= 1
    row = _search_rows(url, [made["busy"]])[made["busy"]]
    assert row["version"] == SNAPSHOT_UPDATES + 2 and row["document"]["description"] == "Новое описание"
    # The projection keeps working on the swapped-in table, idempotent by version as before.
    company = service.update_company(settings, made["renamed"], CompanyPatch(employees_count=700), _ctx())
    assert index.upsert(company) is True
    assert index.upsert(company) is False


# --- search: OpenSearch --------------------------------------------------------------------------


def _client(url: str) -> Any:
    from opensearchpy import OpenSearch

    return OpenSearch(hosts=[url], timeout=60)


def _drop_versioned(url: str) -> None:
    client = _client(url)
    for name in client.indices.get(index="companies_v*", allow_no_indices=True, ignore_unavailable=True):
        client.indices.delete(index=name)
    assert not client.indices.exists_alias(name=ALIAS)


@pytest.fixture
def opensearch(opensearch_url: str) -> Iterator[str]:
    """No companies index before and after (other tests expect to create companies_v1 themselves)."""
    _drop_versioned(opensearch_url)
    try:
        yield opensearch_url
    finally:
        _drop_versioned(opensearch_url)


def _docs(url: str, ids: list[str]) -> dict[str, tuple[int, dict[str, Any]]]:
    client = _client(url)
    found = {}
    for company_id in ids:
        doc = client.get(index=ALIAS, id=company_id)
        found[company_id] = (doc["_version"], doc["_source"])
    return found


def test_rebuild_opensearch_builds_a_new_index_and_moves_the_alias(
    settings: Settings, made: dict[str, str], opensearch: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opensearchpy.exceptions import NotFoundError

    index = OpenSearchIndex(opensearch)
    _project(settings.database_url, made, CompanyCache(redis_client(settings.redis_url), 300), index)
    ids = list(made.values())
    expected = _docs(opensearch, ids)
    client = _client(opensearch)
    assert set(client.indices.get_alias(name=ALIAS)) == {"companies_v1"}
    junk = str(uuid.uuid4())
    client.index(index=ALIAS, id=junk, body={"name": "Мусорная запись", "industry": "fintech"}, refresh=True)
    stale = {**expected[made["plain"]][1], "name": "Испорчено"}
    client.index(index=ALIAS, id=made["plain"], body=stale, version=1000, version_type="external", refresh=True)

    report = rebuild_opensearch(settings.database_url, opensearch, batch=4)

    assert set(client.indices.get_alias(name=ALIAS)) == {"companies_v2"}
    assert not client.indices.exists(index="companies_v1")
    assert report.target == f"opensearch alias {ALIAS} -> companies_v2"
    assert _docs(opensearch, ids) == expected
    with pytest.raises(NotFoundError):
        client.get(index=ALIAS, id=junk)
    assert client.count(index=ALIAS)["count"] == report.aggregates == _aggregates(settings.database_url)
    assert (
        client.indices.get_mapping(index="companies_v2")["companies_v2"]["mappings"]["properties"]["name"]["analyzer"]
        == "russian"
    )
    assert client.indices.get_settings(index="companies_v2")["companies_v2"]["settings"]["index"].get(
        "refresh_interval"
    ) in (None, "1s")
    plain = service.get_company(settings, made["plain"])
    assert made["plain"] in {str(h.id) for h in index.search(plain.name)}
    assert made["deleted"] not in {str(h.id) for h in index.search(expected[made["deleted"]][1]["name"])}
    # The projection writes through the alias into the new index, refusing stale versions as before.
    company = service.update_company(settings, made["renamed"], CompanyPatch(employees_count=900), _ctx())
    assert index.upsert(company) is True and index.upsert(company) is False

    # A second rebuild, with an event appended mid-way: v3, v2 gone, the event caught up.
    _after_last_batch(
        monkeypatch,
        lambda: service.update_company(settings, made["busy"], CompanyPatch(description="Ещё описание"), _ctx()),
    )
    again = rebuild_opensearch(settings.database_url, opensearch, batch=2)
    assert set(client.indices.get_alias(name=ALIAS)) == {"companies_v3"}
    assert not client.indices.exists(index="companies_v2")
    assert again.caught_up >= 1
    version, source = _docs(opensearch, [made["busy"]])[made["busy"]]
    assert version == SNAPSHOT_UPDATES + 2 and source["description"] == "Ещё описание"
    assert _docs(opensearch, [made["renamed"]])[made["renamed"]][0] == company.version


def test_rebuild_opensearch_recreates_a_dropped_index(
    settings: Settings, made: dict[str, str], opensearch: str
) -> None:
    client = _client(opensearch)
    assert not client.indices.exists_alias(name=ALIAS)  # dropped (by the fixture)
    report = rebuild_opensearch(settings.database_url, opensearch)
    assert set(client.indices.get_alias(name=ALIAS)) == {"companies_v1"} and report.notes == []
    assert client.count(index=ALIAS)["count"] == _aggregates(settings.database_url)
    plain = service.get_company(settings, made["plain"])
    assert made["plain"] in {str(h.id) for h in OpenSearchIndex(opensearch).search(plain.name)}


def test_rebuild_postgres_search_refuses_without_the_table(postgres_url: str) -> None:
    with _db(postgres_url) as db:
        db.execute("ALTER TABLE company_search RENAME TO company_search_away")
        db.commit()
        try:
            with pytest.raises(replay.RebuildError, match="no company_search table"):
                search_postgres.rebuild_postgres_search(postgres_url)
        finally:
            db.execute("ALTER TABLE company_search_away RENAME TO company_search")
            db.commit()


def test_a_reader_idle_in_a_transaction_makes_the_swap_give_up_not_hang(
    postgres_url: str, made: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_postgres, "SWAP_LOCK_TIMEOUT", "300ms")
    before = _search_rows(postgres_url, list(made.values()))
    with _db(postgres_url) as reader:
        reader.execute("SELECT count(*) FROM company_search").fetchone()  # holds its lock until rollback
        with pytest.raises(replay.RebuildError, match="stayed locked by another session for 300ms"):
            search_postgres.rebuild_postgres_search(postgres_url)
        reader.rollback()
    with _db(postgres_url) as db:
        assert db.execute("SELECT to_regclass('company_search_new') AS t").fetchone()["t"] is None
    assert _search_rows(postgres_url, list(made.values())) == before


def test_cli_rebuilds_the_search_backend_it_is_told(
    settings: Settings,
    made: dict[str, str],
    opensearch: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(local_cloud, "state", lambda: None)  # never a local cloud running on this machine
    monkeypatch.delenv("ALGOARTS_OPENSEARCH_URL", raising=False)
    monkeypatch.delenv("ALGOARTS_SEARCH_BACKEND", raising=False)
    OpenSearchIndex(opensearch).ensure_index()
    argv = ["rebuild", "search", "--database-url", settings.database_url, "-q"]
    assert main([*argv, "--search-backend", "opensearch", "--opensearch-url", opensearch]) == 0
    out, err = capsys.readouterr()
    assert "rebuilt search (opensearch alias companies -> companies_v2)" in out
    assert "was companies_v1" in out and err == ""
    assert main([*argv, "--search-backend", "opensearch"]) == 2  # no URL anywhere
    assert "--opensearch-url" in capsys.readouterr().err


# --- cache ---------------------------------------------------------------------------------------


def _cache_entries(redis_url: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    client = redis_client(redis_url)
    entries = {}
    for company_id in ids:
        raw = cast(dict[bytes, bytes], client.hgetall(f"company:{company_id}"))
        if raw:
            body = raw.get(b"body", b"")
            entries[company_id] = {"version": int(raw[b"version"]), "body": json.loads(body) if body else None}
    return entries


def test_rebuild_cache_drops_every_company_key_and_warms_back_what_the_projection_puts(
    settings: Settings, made: dict[str, str]
) -> None:
    client = redis_client(settings.redis_url)
    cache = CompanyCache(client, 300)
    _project(settings.database_url, made, cache, PostgresIndex(settings.database_url))
    ids = list(made.values())
    expected = _cache_entries(settings.redis_url, ids)
    assert len(expected) == len(ids)
    assert expected[made["deleted"]]["body"] is None
    pages = ListCache(client, 3600)
    generation, _ = pages.get("q")
    pages.put(generation, "q", b"[]")
    client.hset(f"company:{made['plain']}", mapping={"version": 999, "body": "{}"})  # corrupted

    dropped = rebuild_cache(settings.redis_url)
    assert dropped.dropped >= len(ids) + 2
    assert not list(client.scan_iter(match="company:*")) and not list(client.scan_iter(match="companies:list:*"))
    assert pages.get("q") == ("0", None)
    assert service.get_company(settings, made["plain"], cache=cache).version == expected[made["plain"]]["version"]

    warmed = rebuild_cache(settings.redis_url, database_url=settings.database_url, warm=True)
    assert warmed.aggregates == _aggregates(settings.database_url)
    assert _cache_entries(settings.redis_url, ids) == expected
    renamed = expected[made["renamed"]]["body"]
    assert cache.get(renamed["slug"]) is not None and cache.get(made["deleted"]) is None
