"""Postgres side of the company aggregate: the row, its event stream and the outbox, in one transaction."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from shared import audit, outbox
from shared.audit import RequestOrigin
from shared.companies.model import Company, CompanyCreate
from shared.companies.slugs import slugify
from shared.events import EventEnvelope

if TYPE_CHECKING:
    import psycopg

_COLUMNS = (
    "id, slug, name, industry, description, website, business_model, headquarters_city, "
    "integrations, is_verified, version, created_at, updated_at"
)


_SLUG_ATTEMPTS = 5


def insert_company(
    conn: psycopg.Connection,
    command: CompanyCreate,
    *,
    actor: str | None,
    correlation_id: str | None,
    origin: RequestOrigin | None = None,
) -> tuple[Company, EventEnvelope]:
    """The row, its first event and the outbox entry, atomically, under the first free slug.

    A slug taken by a transaction that has not committed yet is invisible to `_free_slug`; our
    insert then waits on the unique index and fails once that one commits, so the whole
    transaction is retried and the next attempt sees the slug.
    """
    from psycopg import errors

    for attempt in range(_SLUG_ATTEMPTS):
        try:
            return _insert_company_once(conn, command, actor=actor, correlation_id=correlation_id, origin=origin)
        except errors.UniqueViolation as exc:
            if exc.diag.constraint_name != "companies_slug_key" or attempt == _SLUG_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _insert_company_once(
    conn: psycopg.Connection,
    command: CompanyCreate,
    *,
    actor: str | None,
    correlation_id: str | None,
    origin: RequestOrigin | None,
) -> tuple[Company, EventEnvelope]:
    company_id = uuid.uuid4()
    data = command.model_dump(mode="json")
    with conn.transaction():
        slug = _free_slug(conn, slugify(command.name))
        row = conn.execute(
            f"INSERT INTO companies (id, slug, name, industry, description, website, business_model, "
            f"headquarters_city, integrations, owner_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            f"RETURNING {_COLUMNS}",
            (
                company_id,
                slug,
                command.name,
                command.industry,
                command.description,
                data["website"],
                command.business_model,
                command.headquarters_city,
                command.integrations,
                actor,
            ),
        ).fetchone()
        company = Company.model_validate(row)
        event = EventEnvelope(
            event_type="company.created",
            aggregate_type="company",
            aggregate_id=str(company_id),
            version=1,
            actor=actor,
            correlation_id=correlation_id,
            payload={"company_id": str(company_id), **company.model_dump(mode="json")},
        )
        _append_event(conn, event)
        outbox.append(conn, event)
        audit.record(
            conn,
            actor_id=actor,
            action="company.created",
            resource_type="company",
            resource_id=str(company_id),
            origin=origin or RequestOrigin(),
            change=command.model_dump(mode="json", exclude_none=True),
        )
    return company, event


def load_company(conn: psycopg.Connection, key: str) -> Company | None:
    """By id or by slug; soft-deleted companies are invisible."""
    column = "id" if _is_uuid(key) else "slug"
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM companies WHERE {column} = %s AND deleted_at IS NULL", (key,)
    ).fetchone()
    conn.rollback()
    return Company.model_validate(row) if row else None


def _append_event(conn: psycopg.Connection, event: EventEnvelope) -> None:
    conn.execute(
        "INSERT INTO company_events (event_id, aggregate_id, version, event_type, payload, actor, "
        "correlation_id, causation_id, occurred_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            event.event_id,
            event.aggregate_id,
            event.version,
            event.event_type,
            _json(event.payload),
            event.actor,
            event.correlation_id,
            event.causation_id,
            event.timestamp,
        ),
    )


def _free_slug(conn: psycopg.Connection, base: str) -> str:
    taken = {
        r["slug"] if isinstance(r, dict) else r[0]
        for r in conn.execute(
            "SELECT slug FROM companies WHERE slug = %s OR slug LIKE %s", (base, base + "-%")
        ).fetchall()
    }
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
