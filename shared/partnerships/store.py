"""The `partnerships` table and its history (`partnership_events`): the SQL of the partnerships service.

Each function runs its statements on the caller's connection, inside whatever transaction the caller holds
(the service locks, checks and commits); rows come back as dicts with the columns of `COLUMNS`. Ids that are
not UUIDs never reach a `::uuid` cast: they match nothing.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import psycopg

    from shared.partnerships.analysis import PairAnalysis

COLUMNS = (
    "id, company_a_id, company_b_id, compatibility_score::float AS compatibility_score, match_reasons, "
    "synergy_areas, criteria, analysis_method, analyzed_by_agent, analysis_timestamp, ai_explanation, status, "
    "paused_from, contacted_at, partnership_started_at, deal_value, revenue_generated, version, created_at, updated_at"
)


def _is_uuid(value: str | None) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return value is not None


# --- reads ---------------------------------------------------------------------------------------------


def load(conn: psycopg.Connection, partnership_id: str, *, lock: bool = False) -> dict[str, Any] | None:
    """The partnership's row (locked FOR UPDATE with `lock`); None when unknown or not a UUID."""
    if not _is_uuid(partnership_id):
        return None
    lock_sql = " FOR UPDATE" if lock else ""
    row = (
        cast(Any, conn)
        .execute(f"SELECT {COLUMNS} FROM partnerships WHERE id = %s{lock_sql}", (partnership_id,))
        .fetchone()
    )
    return dict(row) if row else None


def pair(conn: psycopg.Connection, a: str, b: str) -> dict[str, Any] | None:
    """The partnership of two companies, in either order."""
    row = (
        cast(Any, conn)
        .execute(
            f"SELECT {COLUMNS} FROM partnerships WHERE LEAST(company_a_id, company_b_id) = LEAST(%s::uuid, %s::uuid) "
            "AND GREATEST(company_a_id, company_b_id) = GREATEST(%s::uuid, %s::uuid)",
            (a, b, a, b),
        )
        .fetchone()
    )
    return dict(row) if row else None


def page(
    conn: psycopg.Connection,
    *,
    companies: list[uuid.UUID] | None,
    company_id: uuid.UUID | None,
    status: str | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Partnerships newest first: of any of `companies` (None: of every company), of `company_id`, in `status`."""
    where: list[str] = ["TRUE"]
    params: list[Any] = []
    if companies is not None:
        where.append("(company_a_id = ANY(%s) OR company_b_id = ANY(%s))")
        params += [companies, companies]
    if company_id is not None:
        where.append("(company_a_id = %s OR company_b_id = %s)")
        params += [company_id, company_id]
    if status is not None:
        where.append("status = %s")
        params.append(status)
    rows = (
        cast(Any, conn)
        .execute(
            f"SELECT {COLUMNS} FROM partnerships WHERE {' AND '.join(where)} "
            "ORDER BY created_at DESC, id DESC LIMIT %s",
            (*params, limit),
        )
        .fetchall()
    )
    return [dict(r) for r in rows]


def engaged_partners(conn: psycopg.Connection, company_id: str) -> set[str]:
    """The other companies of the company's partnerships beyond `suggested`."""
    rows = (
        cast(Any, conn)
        .execute(
            "SELECT CASE WHEN company_a_id = %(id)s THEN company_b_id ELSE company_a_id END AS other "
            "FROM partnerships WHERE (company_a_id = %(id)s OR company_b_id = %(id)s) AND status <> 'suggested'",
            {"id": company_id},
        )
        .fetchall()
    )
    return {str(r["other"]) for r in rows}


def stalled(conn: psycopg.Connection, *, days: int, limit: int) -> list[dict[str, Any]]:
    """Partnerships in `contacted` or `in_discussion` not updated for `days` days, oldest first:
    [{id, company_a_id, company_b_id, status, stalled_since}]."""
    rows = (
        cast(Any, conn)
        .execute(
            "SELECT id::text AS id, company_a_id::text AS company_a_id, company_b_id::text AS company_b_id, "
            "status, updated_at AS stalled_since FROM partnerships "
            "WHERE status IN ('contacted', 'in_discussion') AND updated_at < NOW() - make_interval(days => %s) "
            "ORDER BY updated_at LIMIT %s",
            (days, limit),
        )
        .fetchall()
    )
    return [dict(r) for r in rows]


def own_companies(conn: psycopg.Connection, user_id: str, company_id: str | None) -> list[uuid.UUID]:
    """The companies the user owns, and the company they belong to."""
    rows = (
        cast(Any, conn)
        .execute(
            "SELECT id FROM companies WHERE owner_id = %s OR id = %s",
            (user_id, company_id if _is_uuid(company_id) else None),
        )
        .fetchall()
    )
    return [r["id"] for r in rows]


def owns_any(conn: psycopg.Connection, company_ids: list[str], user_id: str) -> bool:
    """Whether the user owns any of the companies."""
    row = (
        cast(Any, conn)
        .execute(
            "SELECT 1 FROM companies WHERE id = ANY(%s::uuid[]) AND owner_id = %s LIMIT 1",
            (company_ids, user_id if _is_uuid(user_id) else None),
        )
        .fetchone()
    )
    return row is not None


# --- writes --------------------------------------------------------------------------------------------


def insert(
    conn: psycopg.Connection,
    *,
    company_a_id: str,
    company_b_id: str,
    analysis: PairAnalysis,
    analyzed_by_agent: str | None,
    created_by: str | None,
    now: datetime,
) -> dict[str, Any] | None:
    """A new `suggested` partnership from the pair's analysis; None when the pair already has one."""
    row = (
        cast(Any, conn)
        .execute(
            "INSERT INTO partnerships (id, company_a_id, company_b_id, compatibility_score, match_reasons, "
            "synergy_areas, criteria, analysis_method, analyzed_by_agent, analysis_timestamp, ai_explanation, "
            "created_by, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            f"ON CONFLICT DO NOTHING RETURNING {COLUMNS}",
            (
                uuid.uuid4(),
                company_a_id,
                company_b_id,
                analysis.score,
                analysis.match_reasons,
                analysis.synergy_areas,
                json.dumps([c.model_dump() for c in analysis.criteria], ensure_ascii=False),
                analysis.analysis_method,
                analyzed_by_agent,
                now,
                analysis.ai_explanation,
                created_by,
                now,
                now,
            ),
        )
        .fetchone()
    )
    return dict(row) if row else None


def move(
    conn: psycopg.Connection,
    partnership_id: str,
    *,
    status: str,
    paused_from: str | None,
    contacted: bool,
    started: bool,
    now: datetime,
) -> dict[str, Any]:
    """Set the status (and `paused_from`; `contacted_at` / `partnership_started_at` the first time), next version."""
    row = (
        cast(Any, conn)
        .execute(
            f"UPDATE partnerships SET status = %(to)s, version = version + 1, updated_at = %(now)s, "
            f"paused_from = %(paused_from)s, "
            f"contacted_at = CASE WHEN %(contacted)s THEN COALESCE(contacted_at, %(now)s) ELSE contacted_at END, "
            f"partnership_started_at = CASE WHEN %(started)s "
            f"THEN COALESCE(partnership_started_at, %(now)s) ELSE partnership_started_at END "
            f"WHERE id = %(id)s RETURNING {COLUMNS}",
            {
                "to": status,
                "paused_from": paused_from,
                "contacted": contacted,
                "started": started,
                "now": now,
                "id": partnership_id,
            },
        )
        .fetchone()
    )
    return dict(row)


def update(conn: psycopg.Connection, partnership_id: str, changes: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Set the columns of `changes` (names the service chose, never the caller's), next version."""
    sets = ", ".join(f"{k} = %({k})s" for k in changes)
    row = (
        cast(Any, conn)
        .execute(
            f"UPDATE partnerships SET {sets}, version = version + 1, updated_at = %(now)s "
            f"WHERE id = %(id)s RETURNING {COLUMNS}",
            {**changes, "now": now, "id": partnership_id},
        )
        .fetchone()
    )
    return dict(row)


def append_history(  # noqa: PLR0917 - one row of the status history
    conn: psycopg.Connection,
    event_id: uuid.UUID,
    row: dict[str, Any],
    event_type: str,
    from_status: str | None,
    to_status: str | None,
    payload: dict[str, Any],
    actor: str | None,
    correlation_id: str | None,
) -> None:
    """The event's row in `partnership_events`, at the partnership's version and update time."""
    cast(Any, conn).execute(
        "INSERT INTO partnership_events (event_id, partnership_id, version, event_type, from_status, to_status, "
        "payload, actor, correlation_id, occurred_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            event_id,
            row["id"],
            row["version"],
            event_type,
            from_status,
            to_status,
            json.dumps(payload, ensure_ascii=False),
            actor,
            correlation_id,
            row["updated_at"],
        ),
    )
