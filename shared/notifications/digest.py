"""The scheduled half of the dispatcher: deferred messages whose quiet hours ended, and the daily digest.

`release_due` runs every few minutes: deferred rows past `deliver_after` become queued and are returned for
`dispatch.enqueue` (with any an earlier run released but did not get onto a queue).

`build_digests` runs daily (say 09:00 Moscow): for each user with rows in `digest` (emails of a user who
chose the daily digest), one email delivery keyed `digest:<user_id>:<local date>` that lists those items by
their inbox wording, written in the same transaction that marks the items `digested`. Run twice the same day
it writes nothing: the key exists, and the items that arrived since wait for the next day's digest rather
than being marked digested without being sent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.notifications import store
from shared.notifications.dispatch import UnsubscribeToken, default_unsubscribe_token
from shared.notifications.render import render_digest
from shared.notifications.schedule import zone

if TYPE_CHECKING:
    import psycopg

    from shared.settings import Settings

log = logging.getLogger(__name__)

_NAMELESS = {"ru": "коллега", "en": "there"}


def release_due(conn: psycopg.Connection, now: datetime) -> list[dict[str, Any]]:
    """Deferred deliveries due at `now`, now queued: the rows for `enqueue` (delivery_id, dedup_key, channel).
    Idempotent: a second call returns only what is still not enqueued."""
    try:
        rows = store.release_due(conn, now)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return rows


def build_digests(
    conn: psycopg.Connection,
    settings: Settings,
    now: datetime,
    *,
    unsubscribe_token: UnsubscribeToken | None = None,
) -> list[dict[str, Any]]:
    """One digest email per user with waiting items (one transaction per user); the queued digest rows not yet
    enqueued (this run's and any an earlier run left), for `enqueue`. The digest's unsubscribe link turns
    every kind's email off ('*')."""
    token = unsubscribe_token or default_unsubscribe_token(settings)
    app = settings.public_app_url.rstrip("/")
    keys: list[str] = []
    for user_id in store.digest_users(conn, now):
        try:
            key = _one(conn, app, user_id, now, token)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        if key:
            keys.append(key)
    rows = store.queued_unenqueued_by_key(conn, keys)
    conn.commit()
    return rows


def _one(conn: psycopg.Connection, app: str, user_id: str, now: datetime, token: UnsubscribeToken) -> str | None:
    people = store.recipients(conn, [user_id])
    if not people:
        return None  # deactivated: their items wait (and go nowhere)
    person = people[0]
    local_day = now.astimezone(zone(person.time_zone)).date()
    key = f"digest:{user_id}:{local_day.isoformat()}"
    items = store.digest_items(conn, user_id, now)
    if not items:
        return key  # another builder holds them, or they were just digested: only re-enqueue
    unsubscribe = f"{app}/v1/notifications/unsubscribe?token={token(user_id, '*')}"
    context = {
        "items": [_item(row["content"]) for row in items],
        "date_label": f"{local_day:%d.%m.%Y}" if person.language == "ru" else f"{local_day:%d %b %Y}",
        "link": f"{app}/notifications",
        "recipient": {"full_name": person.full_name or _NAMELESS[person.language], "email": person.email},
        "unsubscribe_url": unsubscribe,
        "time_zone": person.time_zone,
    }
    rendered = render_digest(person.language, context)
    content = {
        "to": person.email,
        "subject": rendered.subject,
        "text": rendered.text,
        "html": rendered.html,
        "unsubscribe_url": unsubscribe,
        "language": person.language,
        "items": len(items),
    }
    if store.insert_digest(conn, key, user_id, content):
        store.mark_digested(conn, [row["id"] for row in items], key)
        log.info("digest built", extra={"user_id": user_id, "items": len(items), "dedup_key": key})
    return key


def _item(content: Mapping[str, Any]) -> dict[str, Any]:
    """A digest line: the notification's inbox wording (kept in the email content by the dispatcher)."""
    summary = content.get("summary") or {}
    return {
        "title": summary.get("title") or content.get("subject", ""),
        "body": summary.get("body", ""),
        "link": summary.get("link"),
    }
