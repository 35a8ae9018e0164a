"""The `discoveries` table: where each run stands, written by every step of the chain."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg


def connect(database_url: str) -> psycopg.Connection:
    """The instance's shared connection, idle: a step that failed mid-transaction (its Lambda worker stays
    warm) must not leave the next invocation an aborted transaction."""
    from shared.db import connection

    conn = connection(database_url)
    if conn.info.transaction_status != conn.info.transaction_status.IDLE:
        conn.rollback()
    return conn


_JSON = frozenset({"trigger", "candidates", "draft", "final_message", "failures"})
TERMINAL = frozenset({"contacted", "rejected", "expired", "no_match", "failed"})


def insert(
    conn: psycopg.Connection,
    *,
    discovery_id: str,
    company_id: str,
    requested_by: str,
    trigger: dict[str, Any],
    threshold: float,
) -> None:
    conn.execute(
        "INSERT INTO discoveries (id, company_id, requested_by, trigger, threshold, current_step) "
        "VALUES (%s, %s, %s, %s, %s, 'Start')",
        (discovery_id, company_id, requested_by, json.dumps(trigger, ensure_ascii=False), threshold),
    )


def get(conn: psycopg.Connection, discovery_id: str, *, lock: bool = False) -> dict[str, Any] | None:
    """The row with its company's owner (for ABAC); None when unknown."""
    row = conn.execute(
        "SELECT d.*, c.owner_id AS company_owner_id, c.name AS company_name FROM discoveries d "
        "JOIN companies c ON c.id = d.company_id WHERE d.id = %s" + (" FOR UPDATE OF d" if lock else ""),
        (discovery_id,),
    ).fetchone()
    return dict(row) if row else None


def update(conn: psycopg.Connection, discovery_id: str, **fields: Any) -> dict[str, Any]:
    """Set columns (JSON ones serialised), bump the version; returns the new row."""
    sets = ", ".join(f"{name} = %s" for name in fields)
    values = [json.dumps(v, ensure_ascii=False, default=str) if k in _JSON else v for k, v in fields.items()]
    row = conn.execute(
        f"UPDATE discoveries SET {sets}, version = version + 1, updated_at = NOW() WHERE id = %s RETURNING *",
        (*values, discovery_id),
    ).fetchone()
    if row is None:
        raise LookupError(f"no discovery {discovery_id}")
    return dict(row)


def merge_candidate(conn: psycopg.Connection, discovery_id: str, candidate_id: str, result: dict[str, Any]) -> None:
    """Merge one candidate's analysis into its entry. Map items run concurrently: the UPDATE is evaluated
    on the latest row version (row lock), so no item's write is lost."""
    conn.execute(
        "UPDATE discoveries SET candidates = (SELECT coalesce(jsonb_agg(CASE WHEN c->>'company_id' = %s "
        "THEN c || %s::jsonb ELSE c END ORDER BY n), '[]') FROM jsonb_array_elements(candidates) "
        "WITH ORDINALITY AS e(c, n)), version = version + 1, updated_at = NOW() WHERE id = %s",
        (candidate_id, json.dumps(result, ensure_ascii=False), discovery_id),
    )


def append_failure(conn: psycopg.Connection, discovery_id: str, failure: dict[str, Any]) -> dict[str, Any]:
    row = conn.execute(
        "UPDATE discoveries SET failures = failures || %s::jsonb, status = 'failed', current_step = %s, "
        "task_token = NULL, version = version + 1, updated_at = NOW() WHERE id = %s RETURNING *",
        (json.dumps([failure], ensure_ascii=False, default=str), failure["step"], discovery_id),
    ).fetchone()
    if row is None:
        raise LookupError(f"no discovery {discovery_id}")
    return dict(row)


def company_doc(conn: psycopg.Connection, company_id: str) -> dict[str, Any] | None:
    """A company as the AI tasks read it (the fields they use), live ones only."""
    row = conn.execute(
        "SELECT id::text AS id, name, description, industry, sub_industries, ai_tags, integrations, "
        "headquarters_city, business_model, api_available, owner_id::text AS owner_id "
        "FROM companies WHERE id = %s AND deleted_at IS NULL",
        (company_id,),
    ).fetchone()
    return dict(row) if row else None


def company_users(conn: psycopg.Connection, company_id: str) -> list[str]:
    """The BD managers to notify: active users of the company (and its owner)."""
    rows = conn.execute(
        "SELECT id::text AS id FROM users WHERE company_id = %s AND is_active "
        "UNION SELECT owner_id::text FROM companies WHERE id = %s AND owner_id IS NOT NULL",
        (company_id, company_id),
    ).fetchall()
    return sorted(r["id"] for r in rows)  # type: ignore[call-overload]
