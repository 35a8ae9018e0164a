"""The SQL of the dispatcher, the senders and the digest over migration 0012's tables.

Kept apart from the decisions (dispatch.py, deliver.py, digest.py) so each of those reads as rules, and so
the statements a fan-out to thousands of recipients runs are visible in one place: the recipients are read
in one query, their preferences in one, and the inbox and delivery rows are written with executemany
(psycopg pipelines it). Every function runs in the caller's transaction; none commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import psycopg


# A claimed delivery carries this reason while its sender talks to the channel; see deliver.py.
SENDING = "sending"


@dataclass(frozen=True)
class Recipient:
    """An active user with their notification settings (the defaults when they never saved any)."""

    id: str
    email: str
    full_name: str | None
    language: str
    time_zone: str
    quiet_start: time | None
    quiet_end: time | None
    digest: bool
    telegram_chat_id: int | None
    telegram_disabled_reason: str | None
    has_push: bool


def _db(conn: psycopg.Connection) -> Any:
    return cast(Any, conn)  # rows are dicts (shared.db.connect's row factory)


def recipients(conn: psycopg.Connection, user_ids: Iterable[str]) -> list[Recipient]:
    """The active users among `user_ids` (unknown and deactivated ones are dropped), in id order."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    rows = (
        _db(conn)
        .execute(
            """
        SELECT u.id::text AS id, u.email, u.full_name,
               coalesce(s.language, 'ru') AS language, coalesce(s.time_zone, 'Europe/Moscow') AS time_zone,
               s.quiet_start, s.quiet_end, coalesce(s.digest, false) AS digest,
               s.telegram_chat_id, s.telegram_disabled_reason,
               EXISTS (SELECT 1 FROM push_subscriptions p WHERE p.user_id = u.id) AS has_push
          FROM users u LEFT JOIN notification_settings s ON s.user_id = u.id
         WHERE u.id = ANY(%s::uuid[]) AND u.is_active
         ORDER BY u.id
        """,
            (ids,),
        )
        .fetchall()
    )
    return [Recipient(**row) for row in rows]


def company_members(conn: psycopg.Connection, company_ids: Iterable[str]) -> list[str]:
    """The owners (`companies.owner_id`) and members (`users.company_id`) of the companies."""
    ids = sorted(set(company_ids))
    rows = (
        _db(conn)
        .execute(
            """
        SELECT owner_id::text AS id FROM companies WHERE id = ANY(%(ids)s::uuid[]) AND owner_id IS NOT NULL
        UNION
        SELECT id::text FROM users WHERE company_id = ANY(%(ids)s::uuid[])
        """,
            {"ids": ids},
        )
        .fetchall()
    )
    return sorted(row["id"] for row in rows)


def companies_of_user(conn: psycopg.Connection, user_id: str) -> set[str]:
    """The companies a user acts for: the one they belong to and the ones they own."""
    rows = (
        _db(conn)
        .execute(
            """
        SELECT company_id::text AS id FROM users WHERE id = %(u)s AND company_id IS NOT NULL
        UNION
        SELECT id::text FROM companies WHERE owner_id = %(u)s
        """,
            {"u": user_id},
        )
        .fetchall()
    )
    return {row["id"] for row in rows}


def company_names(conn: psycopg.Connection, company_ids: Iterable[str]) -> dict[str, str]:
    """Company id -> name, for the ids that exist (soft-deleted ones included: they keep their name)."""
    ids = sorted(set(company_ids))
    if not ids:
        return {}
    rows = _db(conn).execute("SELECT id::text AS id, name FROM companies WHERE id = ANY(%s::uuid[])", (ids,))
    return {row["id"]: row["name"] for row in rows.fetchall()}


def overrides(conn: psycopg.Connection, user_ids: Sequence[str], kind: str) -> dict[tuple[str, str, str], bool]:
    """(user, kind or '*', channel) -> enabled, for `kind` and the '*' rows of these users."""
    if not user_ids:
        return {}
    rows = (
        _db(conn)
        .execute(
            """
        SELECT user_id::text AS user_id, kind, channel, enabled FROM notification_preferences
         WHERE user_id = ANY(%s::uuid[]) AND kind IN (%s, '*')
        """,
            (list(user_ids), kind),
        )
        .fetchall()
    )
    return {(row["user_id"], row["kind"], row["channel"]): row["enabled"] for row in rows}


def insert_inbox(conn: psycopg.Connection, rows: Sequence[dict[str, Any]]) -> int:
    """The inbox items (user_id, event_id, event_type, kind, title, body, link); an existing (event, user)
    is left as it is. Returns how many were new."""
    if not rows:
        return 0
    with conn.cursor() as cur:
        cur.executemany(
            """
            INSERT INTO notifications (user_id, event_id, event_type, kind, title, body, link)
            VALUES (%(user_id)s, %(event_id)s, %(event_type)s, %(kind)s, %(title)s, %(body)s, %(link)s)
            ON CONFLICT (event_id, user_id) DO NOTHING
            """,
            rows,
        )
        return max(cur.rowcount, 0)


def insert_deliveries(conn: psycopg.Connection, rows: Sequence[dict[str, Any]]) -> int:
    """The delivery rows (dedup_key, event_id, event_type, kind, user_id, channel, status, reason, content,
    deliver_after); an existing dedup key is left as it is (a redelivered event writes nothing). Returns how
    many were new."""
    if not rows:
        return 0
    with conn.cursor() as cur:
        cur.executemany(
            """
            INSERT INTO notification_deliveries
                   (dedup_key, event_id, event_type, kind, user_id, channel, status, reason, content, deliver_after)
            VALUES (%(dedup_key)s, %(event_id)s, %(event_type)s, %(kind)s, %(user_id)s, %(channel)s, %(status)s,
                    %(reason)s, %(content)s, %(deliver_after)s)
            ON CONFLICT (dedup_key) DO NOTHING
            """,
            [{**row, "content": _jsonb(row["content"])} for row in rows],
        )
        return max(cur.rowcount, 0)


def unenqueued(conn: psycopg.Connection, event_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The queued deliveries of these events no queue has accepted yet (new ones, and ones an earlier
    attempt left before enqueueing)."""
    if not event_ids:
        return []
    return list(
        _db(conn)
        .execute(
            """
            SELECT id::text AS delivery_id, dedup_key, channel FROM notification_deliveries
             WHERE event_id = ANY(%s::uuid[]) AND status = 'queued' AND enqueued_at IS NULL
             ORDER BY created_at, id
            """,
            (list(event_ids),),
        )
        .fetchall()
    )


def mark_enqueued(conn: psycopg.Connection, delivery_ids: Sequence[str]) -> None:
    if delivery_ids:
        _db(conn).execute(
            "UPDATE notification_deliveries SET enqueued_at = now() WHERE id = ANY(%s::uuid[]) AND enqueued_at IS NULL",
            (list(delivery_ids),),
        )


# --- the senders --------------------------------------------------------------------------------------------


def claim(conn: psycopg.Connection, delivery_id: str, lease_seconds: float) -> dict[str, Any] | None:
    """Take a queued delivery for sending: attempts + 1 and the `sending` marker, unless another sender holds
    it (a marker younger than the lease). None when it is not claimable; `current` tells why."""
    row = (
        _db(conn)
        .execute(
            """
            UPDATE notification_deliveries
               SET attempts = attempts + 1, reason = %(sending)s, updated_at = clock_timestamp()
             WHERE id = %(id)s AND status = 'queued'
               AND (reason IS DISTINCT FROM %(sending)s
                    OR updated_at < clock_timestamp() - %(lease)s * interval '1 second')
            RETURNING id::text AS id, dedup_key, user_id::text AS user_id, channel, kind, content, attempts
            """,
            {"id": delivery_id, "sending": SENDING, "lease": lease_seconds},
        )
        .fetchone()
    )
    return cast(dict[str, Any] | None, row)


def current(conn: psycopg.Connection, delivery_id: str) -> dict[str, Any] | None:
    """The delivery's status and reason and how long its sending marker has held it (seconds)."""
    row = (
        _db(conn)
        .execute(
            """
            SELECT status, reason, extract(epoch FROM clock_timestamp() - updated_at)::float8 AS held_for
              FROM notification_deliveries WHERE id = %s
            """,
            (delivery_id,),
        )
        .fetchone()
    )
    return cast(dict[str, Any] | None, row)


def log_attempt(conn: psycopg.Connection, delivery_id: str, outcome: str, reason: str | None) -> None:
    _db(conn).execute(
        "INSERT INTO notification_attempts (delivery_id, outcome, reason) VALUES (%s, %s, %s)",
        (delivery_id, outcome, _short(reason)),
    )


def finish(conn: psycopg.Connection, delivery_id: str, status: str, reason: str | None) -> None:
    """The delivery's final state: sent (sent_at set), failed or suppressed, with the reason."""
    _db(conn).execute(
        """
        UPDATE notification_deliveries
           SET status = %(status)s::varchar, reason = %(reason)s, updated_at = clock_timestamp(),
               sent_at = CASE WHEN %(status)s::varchar = 'sent' THEN clock_timestamp() ELSE sent_at END
         WHERE id = %(id)s
        """,
        {"id": delivery_id, "status": status, "reason": _short(reason)},
    )


def release(conn: psycopg.Connection, delivery_id: str, reason: str) -> None:
    """Still queued after a retryable failure: the marker replaced by the reason, so the retry may claim it."""
    _db(conn).execute(
        "UPDATE notification_deliveries SET reason = %s, updated_at = clock_timestamp() WHERE id = %s",
        (_short(reason), delivery_id),
    )


def disable_telegram(conn: psycopg.Connection, user_id: str, reason: str) -> None:
    """The user closed the Telegram channel (blocked the bot): the chat stays for the record, the channel is off."""
    _db(conn).execute(
        """
        INSERT INTO notification_settings (user_id, telegram_disabled_reason) VALUES (%(u)s, %(r)s)
        ON CONFLICT (user_id) DO UPDATE SET telegram_disabled_reason = EXCLUDED.telegram_disabled_reason,
                                            updated_at = now()
        """,
        {"u": user_id, "r": _short(reason, 300)},
    )


def push_subscriptions(conn: psycopg.Connection, user_id: str) -> list[dict[str, Any]]:
    """The user's browsers (id, endpoint, keys), oldest first."""
    return list(
        _db(conn)
        .execute(
            """
            SELECT id::text AS id, endpoint, p256dh, auth FROM push_subscriptions
             WHERE user_id = %s ORDER BY created_at, id
            """,
            (user_id,),
        )
        .fetchall()
    )


def drop_push_subscription(conn: psycopg.Connection, subscription_id: str) -> None:
    _db(conn).execute("DELETE FROM push_subscriptions WHERE id = %s", (subscription_id,))


def push_succeeded(conn: psycopg.Connection, subscription_ids: Sequence[str]) -> None:
    if subscription_ids:
        _db(conn).execute(
            "UPDATE push_subscriptions SET last_success_at = now() WHERE id = ANY(%s::uuid[])",
            (list(subscription_ids),),
        )


# --- deferred and digest ------------------------------------------------------------------------------------


def release_due(conn: psycopg.Connection, now: datetime) -> list[dict[str, Any]]:
    """Deferred deliveries whose quiet hours are over turned into queued ones; returned with any released
    earlier that no queue accepted yet (a run that died between release and enqueue)."""
    _db(conn).execute(
        """
        UPDATE notification_deliveries SET status = 'queued', reason = NULL, updated_at = now()
         WHERE id IN (SELECT id FROM notification_deliveries
                       WHERE status = 'deferred' AND deliver_after <= %s
                       ORDER BY deliver_after FOR UPDATE SKIP LOCKED)
        """,
        (now,),
    )
    return list(
        _db(conn)
        .execute(
            """
            SELECT id::text AS delivery_id, dedup_key, channel FROM notification_deliveries
             WHERE status = 'queued' AND enqueued_at IS NULL AND deliver_after IS NOT NULL AND deliver_after <= %s
             ORDER BY deliver_after, id
            """,
            (now,),
        )
        .fetchall()
    )


def digest_users(conn: psycopg.Connection, until: datetime) -> list[str]:
    """The users with deliveries waiting for their digest, created before `until`."""
    rows = _db(conn).execute(
        """
        SELECT DISTINCT user_id::text AS user_id FROM notification_deliveries
         WHERE status = 'digest' AND created_at < %s ORDER BY 1
        """,
        (until,),
    )
    return [row["user_id"] for row in rows.fetchall()]


def digest_items(conn: psycopg.Connection, user_id: str, until: datetime) -> list[dict[str, Any]]:
    """A user's deliveries waiting for the digest, created before `until`, locked (a concurrent builder skips
    them), oldest first."""
    return list(
        _db(conn)
        .execute(
            """
            SELECT id::text AS id, kind, content, created_at FROM notification_deliveries
             WHERE user_id = %s AND status = 'digest' AND created_at < %s
             ORDER BY created_at, id
               FOR UPDATE SKIP LOCKED
            """,
            (user_id, until),
        )
        .fetchall()
    )


def insert_digest(conn: psycopg.Connection, dedup_key: str, user_id: str, content: dict[str, Any]) -> bool:
    """The digest email's delivery (queued); False when that digest exists already (this day's is built)."""
    row = (
        _db(conn)
        .execute(
            """
            INSERT INTO notification_deliveries (dedup_key, event_type, kind, user_id, channel, status, content)
            VALUES (%s, 'notification.digest', 'digest', %s, 'email', 'queued', %s)
            ON CONFLICT (dedup_key) DO NOTHING RETURNING id
            """,
            (dedup_key, user_id, _jsonb(content)),
        )
        .fetchone()
    )
    return row is not None


def mark_digested(conn: psycopg.Connection, delivery_ids: Sequence[str], digest_key: str) -> None:
    _db(conn).execute(
        """
        UPDATE notification_deliveries SET status = 'digested', reason = %s, updated_at = now()
         WHERE id = ANY(%s::uuid[])
        """,
        (f"in {digest_key}", list(delivery_ids)),
    )


def queued_unenqueued_by_key(conn: psycopg.Connection, dedup_keys: Sequence[str]) -> list[dict[str, Any]]:
    """Queued, not yet enqueued deliveries with these dedup keys (the digests just written or left behind)."""
    if not dedup_keys:
        return []
    return list(
        _db(conn)
        .execute(
            """
            SELECT id::text AS delivery_id, dedup_key, channel FROM notification_deliveries
             WHERE dedup_key = ANY(%s) AND status = 'queued' AND enqueued_at IS NULL ORDER BY dedup_key
            """,
            (list(dedup_keys),),
        )
        .fetchall()
    )


def _short(reason: str | None, limit: int = 500) -> str | None:
    return None if reason is None else reason[:limit]


def _jsonb(value: Any) -> Any:
    from psycopg.types.json import Jsonb  # the driver's adapter, imported where it is used (cheap cold starts)

    return Jsonb(value)
