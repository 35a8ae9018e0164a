"""The company aggregate's write side on a real Postgres: row, event stream and outbox in one transaction."""

from __future__ import annotations

import uuid
from typing import Any, cast

import psycopg
import pytest

import shared.outbox
from shared.companies.model import CompanyCreate
from shared.companies.store import insert_company, load_company
from shared.db import connect

pytestmark = pytest.mark.integration


def _db(url: str) -> Any:
    """A connection typed loosely: rows are dicts (shared.db.connect uses dict_row)."""
    return cast(Any, connect(url))


def _unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:10]}"


def test_insert_writes_row_event_and_outbox_in_one_transaction(pg: Any, postgres_url: str) -> None:
    name = _unique("Платёжный Сервис")
    command = CompanyCreate.model_validate(
        {
            "name": name,
            "industry": "fintech",
            "description": "Эквайринг для малого бизнеса",
            "website": "https://pay.example.ru",
            "business_model": "B2B",
            "headquarters_city": "Казань",
            "integrations": ["amocrm", "bitrix24"],
        }
    )
    actor = str(uuid.uuid4())  # a user id: it becomes the company's owner
    company, event = insert_company(pg, command, actor=actor, correlation_id="corr-1")

    assert company.name == name
    assert company.slug == "platyozhnyj-servis-" + name.rsplit(" ", 1)[1]
    assert company.version == 1 and event.version == 1
    assert event.event_type == "company.created" and event.aggregate_id == str(company.id)

    # Read back through another connection: the transaction was committed.
    with _db(postgres_url) as other:
        row = other.execute(
            "SELECT name, industry, website, business_model, headquarters_city, integrations, version, "
            "is_verified, deleted_at, xmin::text AS tx FROM companies WHERE id = %s",
            (company.id,),
        ).fetchone()
        events = other.execute(
            "SELECT event_id, version, event_type, actor, correlation_id, payload, xmin::text AS tx "
            "FROM company_events WHERE aggregate_id = %s",
            (company.id,),
        ).fetchall()
        outbox = other.execute(
            "SELECT topic, message_key, envelope, published_at, xmin::text AS tx FROM outbox WHERE event_id = %s",
            (event.event_id,),
        ).fetchall()

    assert row is not None
    assert row["name"] == name and row["industry"] == "fintech"
    assert row["website"] == "https://pay.example.ru/"
    assert row["business_model"] == "B2B" and row["headquarters_city"] == "Казань"
    assert row["integrations"] == ["amocrm", "bitrix24"]
    assert row["version"] == 1 and row["is_verified"] is False and row["deleted_at"] is None

    assert len(events) == 1
    (stored_event,) = events
    assert stored_event["event_id"] == event.event_id
    assert stored_event["version"] == 1 and stored_event["event_type"] == "company.created"
    assert stored_event["actor"] == actor and stored_event["correlation_id"] == "corr-1"
    assert stored_event["payload"]["company_id"] == str(company.id)
    assert stored_event["payload"]["name"] == name

    assert len(outbox) == 1
    (message,) = outbox
    assert message["topic"] == "company.events"
    assert message["message_key"] == str(company.id)
    assert message["published_at"] is None
    assert message["envelope"]["event_id"] == str(event.event_id)
    assert message["envelope"]["event_type"] == "company.created"
    assert message["envelope"]["version"] == 1
    assert message["envelope"]["payload"]["slug"] == company.slug

    # Same transaction id on all three rows: one atomic write.
    assert row["tx"] == stored_event["tx"] == message["tx"]


def test_same_name_gets_distinct_slugs(pg: Any) -> None:
    name = _unique("Acme")
    base = name.lower().replace(" ", "-")
    slugs = [
        insert_company(pg, CompanyCreate(name=name, industry="saas"), actor=None, correlation_id=None)[0].slug
        for _ in range(3)
    ]
    assert slugs == [base, f"{base}-2", f"{base}-3"]
    # A name whose slug only starts like the others is not counted as taken.
    other = insert_company(pg, CompanyCreate(name=f"{name} Labs", industry="saas"), actor=None, correlation_id=None)
    assert other[0].slug == f"{base}-labs"


def test_failed_outbox_append_writes_nothing(pg: Any, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    name = _unique("Atomic")

    def broken_append(conn: psycopg.Connection[Any], event: Any) -> None:
        raise RuntimeError("outbox is unavailable")

    monkeypatch.setattr(shared.outbox, "append", broken_append)
    with pytest.raises(RuntimeError, match="outbox is unavailable"):
        insert_company(pg, CompanyCreate(name=name, industry="saas"), actor=None, correlation_id=None)

    with _db(postgres_url) as other:
        companies = other.execute("SELECT count(*) AS n FROM companies WHERE name = %s", (name,)).fetchone()
        events = other.execute(
            "SELECT count(*) AS n FROM company_events WHERE payload->>'name' = %s", (name,)
        ).fetchone()
        outbox = other.execute(
            "SELECT count(*) AS n FROM outbox WHERE envelope->'payload'->>'name' = %s", (name,)
        ).fetchone()
    assert companies == {"n": 0}
    assert events == {"n": 0}
    assert outbox == {"n": 0}

    # The connection is still usable and the same name can be created once the outbox works again.
    monkeypatch.undo()
    company, _ = insert_company(pg, CompanyCreate(name=name, industry="saas"), actor=None, correlation_id=None)
    assert load_company(pg, company.slug) == company


def test_load_by_id_and_slug(pg: Any) -> None:
    created, _ = insert_company(
        pg,
        CompanyCreate(name=_unique("Облачная бухгалтерия"), industry="saas"),
        actor=None,
        correlation_id=None,
    )
    by_id = load_company(pg, str(created.id))
    by_slug = load_company(pg, created.slug)
    assert by_id == created
    assert by_slug == created
    assert load_company(pg, str(uuid.uuid4())) is None
    assert load_company(pg, "no-such-company-" + uuid.uuid4().hex) is None


def test_soft_deleted_company_is_invisible(pg: Any) -> None:
    created, _ = insert_company(
        pg, CompanyCreate(name=_unique("Закрытая"), industry="retail"), actor=None, correlation_id=None
    )
    assert load_company(pg, created.slug) == created
    pg.execute("UPDATE companies SET deleted_at = NOW() WHERE id = %s", (created.id,))
    pg.commit()
    assert load_company(pg, str(created.id)) is None
    assert load_company(pg, created.slug) is None


def _wait_until_blocked(url: str, statement: str, timeout: float = 10.0) -> None:
    """Until a backend running `statement` waits on a lock (or the timeout: a fixed store may not block)."""
    import time

    deadline = time.monotonic() + timeout
    with _db(url) as probe:
        probe.autocommit = True
        while time.monotonic() < deadline:
            row = probe.execute(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
                (statement + "%",),
            ).fetchone()
            if row["n"]:
                return
            time.sleep(0.05)


def test_concurrent_creates_with_same_name_get_distinct_slugs(pg: Any, postgres_url: str) -> None:
    """Two creates of one name in flight at once (a double-submitted form, two importers): both must
    succeed with distinct slugs, not fail the second with a unique violation (a 500 for the user)."""
    import threading

    name = _unique("Concurrent")
    base = name.lower().replace(" ", "-")
    with _db(postgres_url) as first:
        # The first writer has inserted its row but not committed yet, as insert_company does mid-way.
        first.execute("INSERT INTO companies (slug, name, industry) VALUES (%s, %s, 'saas')", (base, name))
        outcome: dict[str, Any] = {}

        def second_writer() -> None:
            try:
                outcome["company"] = insert_company(
                    pg, CompanyCreate(name=name, industry="saas"), actor=None, correlation_id=None
                )[0]
            except Exception as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=second_writer)
        thread.start()
        _wait_until_blocked(postgres_url, "INSERT INTO companies")
        first.commit()
        thread.join(30)
        assert not thread.is_alive()

    assert "error" not in outcome, f"second create failed: {outcome.get('error')!r}"
    assert outcome["company"].slug == f"{base}-2"
