"""Cron schedules are wall-clock times in their time zone: across both daylight-saving changes a
daily schedule fires once a day at the same local time (a time skipped in spring fires at the
first valid time after it; a time repeated in autumn fires once), hourly ones keep real time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from traceiq_app.services.runs import schedules

BERLIN = ZoneInfo("Europe/Berlin")


def _local(times):  # type: ignore[no-untyped-def]
    return [t.astimezone(BERLIN).strftime("%m-%d %H:%M") for t in times]


def test_it_keeps_the_local_time_across_the_spring_change() -> None:
    times = schedules.next_fire_times("0 6 * * *", "Europe/Berlin", 4, after=datetime(2026, 3, 27, 12, tzinfo=UTC))
    assert _local(times) == ["03-28 06:00", "03-29 06:00", "03-30 06:00", "03-31 06:00"]
    assert [t.hour for t in times] == [5, 4, 4, 4]  # UTC moves, local time does not


def test_it_fires_a_skipped_time_once() -> None:
    times = schedules.next_fire_times("30 2 * * *", "Europe/Berlin", 3, after=datetime(2026, 3, 28, 12, tzinfo=UTC))
    assert _local(times) == ["03-29 03:00", "03-30 02:30", "03-31 02:30"]


def test_it_fires_a_repeated_time_once() -> None:
    times = schedules.next_fire_times("30 2 * * *", "Europe/Berlin", 3, after=datetime(2026, 10, 24, 12, tzinfo=UTC))
    assert [t.isoformat() for t in times] == ["2026-10-25T00:30:00+00:00", "2026-10-26T01:30:00+00:00",
                                              "2026-10-27T01:30:00+00:00"]


def test_it_keeps_real_time_for_sub_hourly_schedules_in_the_repeated_hour() -> None:
    times = schedules.next_fire_times("*/30 * * * *", "Europe/Berlin", 6, after=datetime(2026, 10, 24, 23, 50, tzinfo=UTC))
    gaps = {(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)}
    assert gaps == {1800.0}


def test_it_describes_cron_in_words() -> None:
    assert schedules.describe("0 6 * * 1-5", "Europe/Berlin") == "At 06:00, Monday through Friday (Europe/Berlin)"
    assert schedules.describe("*/15 * * * *", "UTC") == "Every 15 minutes (UTC)"


@pytest.mark.parametrize(("cron", "zone", "problem"), [
    ("61 * * * *", "UTC", "invalid cron expression"),
    ("0 6 * *", "UTC", "5 fields"),
    ("0 6 * * *", "Mars/Olympus", "unknown time zone"),
])
def test_it_explains_bad_cron_and_zones(cron, zone, problem) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(schedules.ScheduleError, match=problem):
        schedules.next_fire_times(cron, zone)
