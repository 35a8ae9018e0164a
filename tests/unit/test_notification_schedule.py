"""Quiet hours: inside or outside a window, across midnight, across a DST change, and an unknown zone."""

from __future__ import annotations

from datetime import UTC, datetime, time

from shared.notifications.schedule import quiet_until

NIGHT = (time(22, 0), time(8, 0))


def _utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_outside_the_window_is_none() -> None:
    assert quiet_until(_utc(2026, 12, 3, 9, 0), "Europe/Moscow", *NIGHT) is None  # 12:00 in Moscow
    assert quiet_until(_utc(2026, 12, 3, 18, 59), "Europe/Moscow", *NIGHT) is None  # 21:59
    assert quiet_until(_utc(2026, 12, 3, 5, 0), "Europe/Moscow", None, None) is None
    assert quiet_until(_utc(2026, 12, 3, 5, 0), "Europe/Moscow", time(8), time(8)) is None


def test_late_evening_waits_until_next_morning() -> None:
    # 23:30 Moscow (UTC+3) on the 3rd -> 08:00 Moscow on the 4th = 05:00 UTC
    assert quiet_until(_utc(2026, 12, 3, 20, 30), "Europe/Moscow", *NIGHT) == _utc(2026, 12, 4, 5, 0)
    # exactly at the start is inside
    assert quiet_until(_utc(2026, 12, 3, 19, 0), "Europe/Moscow", *NIGHT) == _utc(2026, 12, 4, 5, 0)


def test_early_morning_waits_until_the_same_morning() -> None:
    # 03:00 Moscow on the 4th -> 08:00 the same day; 08:00 itself is outside
    assert quiet_until(_utc(2026, 12, 4, 0, 0), "Europe/Moscow", *NIGHT) == _utc(2026, 12, 4, 5, 0)
    assert quiet_until(_utc(2026, 12, 4, 5, 0), "Europe/Moscow", *NIGHT) is None


def test_a_daytime_window() -> None:
    lunch = (time(13, 0), time(14, 30))
    assert quiet_until(_utc(2026, 12, 3, 10, 15), "Europe/Moscow", *lunch) == _utc(2026, 12, 3, 11, 30)
    assert quiet_until(_utc(2026, 12, 3, 11, 30), "Europe/Moscow", *lunch) is None


def test_the_window_is_local_time_across_dst() -> None:
    # Berlin: 29 March 2026 clocks go 02:00 -> 03:00 (UTC+1 -> UTC+2). 23:00 local on the 28th (22:00 UTC)
    # ends at 08:00 local on the 29th, which is 06:00 UTC, not 07:00.
    assert quiet_until(_utc(2026, 3, 28, 22, 0), "Europe/Berlin", *NIGHT) == _utc(2026, 3, 29, 6, 0)
    # 25 October 2026 clocks go back 03:00 -> 02:00: 08:00 local is then 07:00 UTC.
    assert quiet_until(_utc(2026, 10, 24, 21, 0), "Europe/Berlin", *NIGHT) == _utc(2026, 10, 25, 7, 0)
    # New York: 8 March 2026 spring forward; the zone's offset is read for the end day, not the start day.
    assert quiet_until(_utc(2026, 3, 8, 4, 0), "America/New_York", *NIGHT) == _utc(2026, 3, 8, 12, 0)


def test_an_end_inside_a_dst_gap_resolves_after_the_gap() -> None:
    # Berlin has no 02:30 on 29 March 2026; a window ending then ends at 03:30 local (01:30 UTC).
    assert quiet_until(_utc(2026, 3, 28, 23, 0), "Europe/Berlin", time(23), time(2, 30)) == _utc(2026, 3, 29, 1, 30)


def test_an_unknown_or_empty_zone_is_moscow() -> None:
    moscow = quiet_until(_utc(2026, 12, 3, 20, 30), "Europe/Moscow", *NIGHT)
    assert quiet_until(_utc(2026, 12, 3, 20, 30), "Mars/Olympus_Mons", *NIGHT) == moscow
    assert quiet_until(_utc(2026, 12, 3, 20, 30), "../etc/passwd", *NIGHT) == moscow
    assert quiet_until(_utc(2026, 12, 3, 20, 30), None, *NIGHT) == moscow


def test_a_zone_far_from_moscow() -> None:
    # Vladivostok (UTC+10): 20:30 UTC on the 3rd is 06:30 on the 4th, inside; ends 08:00 local = 22:00 UTC.
    assert quiet_until(_utc(2026, 12, 3, 20, 30), "Asia/Vladivostok", *NIGHT) == _utc(2026, 12, 3, 22, 0)
