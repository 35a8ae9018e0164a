"""Quiet hours: when a message that arrives inside a user's quiet window may go out.

The window is wall-clock time in the user's zone (22:00-08:00 means "not at night where I live"), so it is
computed in that zone with zoneinfo and turned back into UTC: a DST change moves the UTC end, not the local
one. A window may cross midnight (start > end). start == end is no window at all (a user cannot mute the
whole day this way; the preference switches do that). An unknown zone falls back to Moscow, the platform's
home zone, rather than failing the event.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Europe/Moscow"


def zone(name: str | None) -> ZoneInfo:
    """The zone called `name`, or Moscow when it is empty or unknown."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo(DEFAULT_ZONE)


def quiet_until(now_utc: datetime, time_zone: str | None, start: time | None, end: time | None) -> datetime | None:
    """When the quiet window containing `now_utc` ends (UTC), or None when `now_utc` is outside it (or the
    user has none)."""
    if start is None or end is None or start == end:
        return None
    tz = zone(time_zone)
    local = now_utc.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if start < end:  # same day, e.g. 13:00-15:00
        inside = start <= clock < end
        end_day = local.date()
    else:  # across midnight, e.g. 22:00-08:00
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    return _wall_clock(end_day, end, tz).astimezone(UTC)


def _wall_clock(day: date, at: time, tz: ZoneInfo) -> datetime:
    """`day` at `at` in `tz`; a wall time skipped by a spring-forward gap resolves to just after the gap
    (zoneinfo's fold=0 gives the pre-transition offset, so normalise through UTC)."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz)
