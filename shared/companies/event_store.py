"""The company event store in Postgres: append with optimistic concurrency, snapshots, rebuild.

`(aggregate_id, version)` is unique, so two writers that both read version n cannot both append
n+1; the loser's transaction fails and nothing of it is written.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.companies.aggregate import CompanyState, StoredEvent, fold
from shared.companies.model import CompanyEvent

if TYPE_CHECKING:
    import psycopg

SNAPSHOT_EVERY = 50


def rebuild(conn: psycopg.Connection, company_id: str, *, use_snapshots: bool = True) -> CompanyState | None:
    """The aggregate from its latest snapshot and the events after it; None if it has no events."""
    state = CompanyState(id=company_id)
    if use_snapshots:
        snap = conn.execute(
            "SELECT version, state FROM company_snapshots WHERE aggregate_id = %s ORDER BY version DESC LIMIT 1",
            (company_id,),
        ).fetchone()
        if snap is not None:
            state = CompanyState.from_snapshot(company_id, snap["version"], snap["state"])  # type: ignore[call-overload]
    rows = conn.execute(
        "SELECT event_id, event_type, version, payload, occurred_at FROM company_events "
        "WHERE aggregate_id = %s AND version > %s ORDER BY version",
        (company_id, state.version),
    ).fetchall()
    events = [StoredEvent(**r) for r in rows]  # type: ignore[arg-type]
    state = fold(state, events)
    return state if state.exists else None


def append(
    conn: psycopg.Connection,
    event: StoredEvent,
    *,
    company_id: str,
    actor: str | None,
    correlation_id: str | None,
    causation_id: str | None = None,
) -> None:
    conn.execute(
        "INSERT INTO company_events (event_id, aggregate_id, version, event_type, payload, actor, "
        "correlation_id, causation_id, occurred_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            event.event_id,
            company_id,
            event.version,
            event.event_type,
            json.dumps(event.payload, ensure_ascii=False),
            actor,
            correlation_id,
            causation_id,
            event.occurred_at,
        ),
    )


def snapshot_if_due(conn: psycopg.Connection, state: CompanyState, every: int = SNAPSHOT_EVERY) -> bool:
    if state.version % every:
        return False
    conn.execute(
        "INSERT INTO company_snapshots (aggregate_id, version, state) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
        (state.id, state.version, json.dumps(state.to_snapshot(), ensure_ascii=False)),
    )
    return True


def history(conn: psycopg.Connection, company_id: str, *, after: int = 0, limit: int = 100) -> list[CompanyEvent]:
    rows = conn.execute(
        "SELECT event_id, version, event_type, payload, actor, correlation_id, causation_id, occurred_at "
        "FROM company_events WHERE aggregate_id = %s AND version > %s ORDER BY version LIMIT %s",
        (company_id, after, limit),
    ).fetchall()
    return [CompanyEvent.model_validate(r) for r in rows]


def new_event(event_type: str, version: int, payload: dict[str, Any], at: datetime) -> StoredEvent:
    return StoredEvent(event_id=uuid.uuid4(), event_type=event_type, version=version, payload=payload, occurred_at=at)
