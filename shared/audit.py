"""The append-only audit log: who did what, when, from where, and the change.

Written inside the same transaction as the write it records, so a write without its audit row
(or the reverse) cannot happen. The table refuses UPDATE, DELETE and TRUNCATE.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg


@dataclass(frozen=True)
class RequestOrigin:
    """Where a request came from, as the gateway saw it."""

    source_ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


def record(
    conn: psycopg.Connection,
    *,
    actor_id: str | None,
    action: str,
    resource_type: str,
    resource_id: str | None,
    origin: RequestOrigin,
    change: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        "INSERT INTO audit_log (actor_id, action, resource_type, resource_id, source_ip, user_agent, request_id,"
        " change) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (
            actor_id,
            action,
            resource_type,
            resource_id,
            origin.source_ip,
            (origin.user_agent or "")[:500] or None,
            origin.request_id,
            json.dumps(change or {}, ensure_ascii=False, default=str),
        ),
    )
