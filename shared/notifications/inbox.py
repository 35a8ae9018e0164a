"""The in-app inbox: what a web front end shows under its bell icon.

The dispatcher writes one `notifications` row per (event, recipient); these are the reads and the two
writes a user makes. Every query is scoped by the caller's user id: another user's item is not "forbidden",
it does not exist (404), so ids never reveal whose they are.

Pages are keyset pages on (created_at, id), newest first: a cursor is the last item's pair, so a page costs
the same at any depth and items arriving meanwhile neither repeat nor vanish (they appear on a new first
page). The cursor is opaque base64url JSON; one the API did not issue is 422 naming `cursor`.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from shared.errors import NotFound, Unprocessable
from shared.notifications.model import InboxQuery, Notification, NotificationPage, ReadAll
from shared.notifications.preferences import transaction

if TYPE_CHECKING:
    import psycopg

    from shared.settings import Settings

__all__ = ["decode_cursor", "encode_cursor", "list_inbox", "mark_all_read", "mark_read", "unread_count"]

_COLUMNS = "id, kind, title, body, link, created_at, read_at"


def encode_cursor(created_at: datetime, item_id: str) -> str:
    raw = json.dumps({"t": created_at.isoformat(), "id": item_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """(created_at, id) of the last item of the previous page; 422 naming `cursor` for anything else."""
    try:
        data = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        return datetime.fromisoformat(data["t"]), str(uuid.UUID(str(data["id"])))
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise Unprocessable(
            "cursor is not one this API issued", field="cursor", ru="Курсор не распознан: начните с первой страницы"
        ) from exc


def _db(conn: psycopg.Connection) -> Any:
    return cast(Any, conn)


def unread_count(conn: psycopg.Connection, user_id: str) -> int:
    row = _db(conn).execute(
        "SELECT count(*) AS n FROM notifications WHERE user_id = %s AND read_at IS NULL", (user_id,)
    )
    return int(row.fetchone()["n"])


def list_inbox(settings: Settings, user_id: str, query: InboxQuery) -> NotificationPage:
    """GET /v1/notifications: a page of the caller's items, newest first, and the unread count."""
    clauses = ["user_id = %(user)s"]
    params: dict[str, Any] = {"user": user_id, "limit": query.limit + 1}
    if query.unread_only:
        clauses.append("read_at IS NULL")
    if query.cursor:
        params["at"], params["id"] = decode_cursor(query.cursor)
        clauses.append("(created_at, id) < (%(at)s, %(id)s)")
    sql = (
        f"SELECT {_COLUMNS} FROM notifications WHERE {' AND '.join(clauses)} "
        "ORDER BY created_at DESC, id DESC LIMIT %(limit)s"
    )
    with transaction(settings) as conn:
        found = _db(conn).execute(sql, params).fetchall()
        unread = unread_count(conn, user_id)
    page, more = found[: query.limit], len(found) > query.limit
    next_cursor = encode_cursor(page[-1]["created_at"], str(page[-1]["id"])) if more else None
    items = [Notification.model_validate(r) for r in page]
    return NotificationPage(items=items, next_cursor=next_cursor, limit=query.limit, unread_count=unread)


def _not_found(notification_id: str) -> NotFound:
    return NotFound(
        f"notification {notification_id} not found", field="id", ru=f"Уведомление {notification_id} не найдено"
    )


def mark_read(settings: Settings, user_id: str, notification_id: str) -> Notification:
    """POST /v1/notifications/{id}/read: the item, read. Idempotent: the first read time stays. 404 for an
    unknown id and for another user's."""
    try:
        key = str(uuid.UUID(notification_id))
    except ValueError:
        raise _not_found(notification_id) from None
    with transaction(settings) as conn:
        row = (
            _db(conn)
            .execute(
                f"UPDATE notifications SET read_at = COALESCE(read_at, NOW()) "
                f"WHERE id = %s AND user_id = %s RETURNING {_COLUMNS}",
                (key, user_id),
            )
            .fetchone()
        )
    if row is None:
        raise _not_found(notification_id)
    return Notification.model_validate(row)


def mark_all_read(settings: Settings, user_id: str) -> ReadAll:
    """POST /v1/notifications/read-all: every unread item of the caller read; how many that was."""
    with transaction(settings) as conn:
        marked = (
            _db(conn)
            .execute("UPDATE notifications SET read_at = NOW() WHERE user_id = %s AND read_at IS NULL", (user_id,))
            .rowcount
        )
    return ReadAll(marked=int(marked))
