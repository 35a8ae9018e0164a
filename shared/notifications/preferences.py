"""What a user wants to be told, and how: `GET|PUT /v1/notifications/preferences`.

A user who never changed anything has no rows: every kind x channel is kinds.json's default, language ru,
time zone Europe/Moscow, no quiet hours, no digest. A change writes `notification_settings` (one row per
user) and `notification_preferences` (one row per overridden kind x channel). The answer is always the
whole picture (defaults and overrides combined), so a client never has to know the defaults.

Precedence, which the dispatcher reads the same way (`enabled_for`): an override of the kind x channel,
else an override of "*" x channel (a one-click unsubscribe from every email), else the kind's default.
A PUT stores what it is told even when it equals the default: the user chose it, and it keeps a later
"*" row (unsubscribe from all) from being read as the user's wish for that kind.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import time
from typing import TYPE_CHECKING, Any, Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.db import connection
from shared.errors import NotFound, Unprocessable
from shared.notifications.kinds import CHANNELS, kinds
from shared.notifications.model import (
    Channels,
    ChannelSwitches,
    EmailChannel,
    Preferences,
    PreferencesPatch,
    PushChannel,
    QuietHours,
    TelegramChannel,
)

if TYPE_CHECKING:
    import psycopg

    from shared.settings import Settings

EVERY_KIND = "*"
DEFAULT_LANGUAGE: Literal["ru", "en"] = "ru"
DEFAULT_TIME_ZONE = "Europe/Moscow"

type Overrides = Mapping[tuple[str, str], bool]

__all__ = [
    "DEFAULT_LANGUAGE",
    "DEFAULT_TIME_ZONE",
    "EVERY_KIND",
    "enabled_for",
    "get_preferences",
    "overrides",
    "picture",
    "put_preferences",
    "set_enabled",
    "transaction",
]


@contextmanager
def transaction(settings: Settings) -> Iterator[psycopg.Connection]:
    """The instance's connection in a transaction of its own (a read left open before is rolled back first,
    so ours is never nested in it)."""
    conn = connection(settings.database_url)
    if conn.info.transaction_status != conn.info.transaction_status.IDLE:
        conn.rollback()
    with conn.transaction():
        yield conn


def _db(conn: psycopg.Connection) -> Any:
    return cast(Any, conn)


# --- reading -----------------------------------------------------------------------------------------------


def enabled_for(overrides: Overrides, kind: str, channel: str) -> bool:
    """Whether `kind` goes to `channel` for a user with these overrides (module docstring: precedence)."""
    if (kind, channel) in overrides:
        return overrides[(kind, channel)]
    if (EVERY_KIND, channel) in overrides:
        return overrides[(EVERY_KIND, channel)]
    return kinds()[kind].default_enabled(channel)


def overrides(conn: psycopg.Connection, user_id: str) -> dict[tuple[str, str], bool]:
    """The user's stored overrides by (kind, channel)."""
    found = _db(conn).execute(
        "SELECT kind, channel, enabled FROM notification_preferences WHERE user_id = %s", (user_id,)
    )
    return {(r["kind"], r["channel"]): bool(r["enabled"]) for r in found.fetchall()}


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def picture(conn: psycopg.Connection, user_id: str) -> Preferences:
    """The user's whole picture (see Preferences); 404 when the account does not exist."""
    row = (
        _db(conn)
        .execute(
            """
            SELECT u.email, s.language, s.time_zone, s.quiet_start, s.quiet_end, s.digest,
                   s.telegram_chat_id, s.telegram_disabled_reason,
                   (SELECT count(*) FROM push_subscriptions p WHERE p.user_id = u.id) AS push_count
            FROM users u LEFT JOIN notification_settings s ON s.user_id = u.id
            WHERE u.id = %s
            """,
            (user_id,),
        )
        .fetchone()
    )
    if row is None:
        raise NotFound("the account was not found", ru="Учётная запись не найдена")
    stored = overrides(conn, user_id)
    linked = row["telegram_chat_id"] is not None
    quiet = None
    if row["quiet_start"] is not None and row["quiet_end"] is not None:
        quiet = QuietHours(start=_hhmm(row["quiet_start"]), end=_hhmm(row["quiet_end"]))
    return Preferences(
        language="en" if row["language"] == "en" else DEFAULT_LANGUAGE,
        time_zone=row["time_zone"] or DEFAULT_TIME_ZONE,
        quiet_hours=quiet,
        digest=bool(row["digest"]),
        channels=Channels(
            email=EmailChannel(address=row["email"]),
            telegram=TelegramChannel(
                linked=linked,
                enabled=linked and row["telegram_disabled_reason"] is None,
                disabled_reason=row["telegram_disabled_reason"],
            ),
            push=PushChannel(subscriptions=int(row["push_count"])),
        ),
        events={
            name: ChannelSwitches(**{c: enabled_for(stored, name, c) for c in CHANNELS}) for name in sorted(kinds())
        },
    )


def get_preferences(settings: Settings, user_id: str) -> Preferences:
    """GET /v1/notifications/preferences: the caller's whole picture."""
    with transaction(settings) as conn:
        return picture(conn, user_id)


# --- writing -----------------------------------------------------------------------------------------------


def _check_time_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Unprocessable(
            f"unknown time zone {name!r}: use an IANA name such as Europe/Moscow",
            field="time_zone",
            ru=f"Неизвестный часовой пояс «{name}» — укажите имя из базы IANA, например Europe/Moscow",
        ) from None


def _check(patch: PreferencesPatch) -> None:
    """What the model cannot know: the zone database, the kinds of kinds.json, an empty quiet window."""
    if patch.time_zone is not None:
        _check_time_zone(patch.time_zone)
    if patch.quiet_hours is not None and patch.quiet_hours.start == patch.quiet_hours.end:
        raise Unprocessable(
            "quiet hours must end at another time than they start",
            field="quiet_hours.end",
            ru="Тихие часы должны заканчиваться в другое время, чем начинаются",
        )
    known = kinds()
    for name in patch.events or {}:
        if name not in known:
            listed = ", ".join(sorted(known))
            raise Unprocessable(
                f"unknown notification kind {name!r}: one of {listed}",
                field=f"events.{name}",
                ru=f"Неизвестный вид уведомлений «{name}» — допустимые: {listed}",
            )


def set_enabled(conn: psycopg.Connection, user_id: str, kind: str, channel: str, enabled: bool) -> None:
    """One override stored (replacing the previous one), in the caller's transaction."""
    _db(conn).execute(
        """
        INSERT INTO notification_preferences (user_id, kind, channel, enabled) VALUES (%s, %s, %s, %s)
        ON CONFLICT (user_id, kind, channel) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = NOW()
        """,
        (user_id, kind, channel, enabled),
    )


def _write_settings(conn: psycopg.Connection, user_id: str, patch: PreferencesPatch) -> None:
    given = patch.model_fields_set
    columns: dict[str, Any] = {}
    if patch.language is not None:
        columns["language"] = patch.language
    if patch.time_zone is not None:
        columns["time_zone"] = patch.time_zone
    if patch.digest is not None:
        columns["digest"] = patch.digest
    if "quiet_hours" in given:  # null clears them
        quiet = patch.quiet_hours
        columns["quiet_start"] = quiet.start if quiet else None
        columns["quiet_end"] = quiet.end if quiet else None
    if not columns:
        return
    names = list(columns)  # fixed column names from the code above, never user text
    updates = ", ".join(f"{n} = EXCLUDED.{n}" for n in names)
    _db(conn).execute(
        f"INSERT INTO notification_settings (user_id, {', '.join(names)}) "
        f"VALUES (%s, {', '.join(['%s'] * len(names))}) "
        f"ON CONFLICT (user_id) DO UPDATE SET {updates}, updated_at = NOW()",
        (user_id, *columns.values()),
    )


def put_preferences(settings: Settings, user_id: str, patch: PreferencesPatch) -> Preferences:
    """PUT /v1/notifications/preferences: the given fields changed in one transaction; the new picture.

    422 naming the field for an unknown time zone (`time_zone`), an empty quiet window
    (`quiet_hours.end`) or an unknown kind (`events.<kind>`); an unknown channel is the model's 422."""
    _check(patch)
    with transaction(settings) as conn:
        if _db(conn).execute("SELECT 1 FROM users WHERE id = %s", (user_id,)).fetchone() is None:
            raise NotFound("the account was not found", ru="Учётная запись не найдена")
        _write_settings(conn, user_id, patch)
        for name, switches in (patch.events or {}).items():
            for channel, enabled in switches.model_dump(exclude_none=True).items():
                set_enabled(conn, user_id, name, channel, bool(enabled))
        return picture(conn, user_id)
