"""A schedule tick that no worker ran in time, or whose run could not start, is marked missed on
the schedule and publishes `schedule.missed` once per tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from tests.factories import make_test_case
from tests.notifications.conftest import drain
from traceiq_app.db import get_engine
from traceiq_app.models import Run, Schedule
from traceiq_app.services.notifications import channels
from traceiq_app.services.runs import schedules
from traceiq_app.services.runs.control import RunError

T0 = datetime(2026, 11, 21, 5, 0, tzinfo=UTC)


def _schedule(project, receiver):  # type: ignore[no-untyped-def]
    hook = channels.create_channel(project.id, "webhook", "ops", url=receiver.url)
    receiver.secret = hook.secret
    channels.create_rule(project.id, hook.channel.id, ["schedule.missed"])
    return schedules.create_schedule(project.id, "Nightly", "0 6 * * *", timezone="UTC", now=T0)


def _row(schedule_id):  # type: ignore[no-untyped-def]
    with Session(get_engine()) as s:
        return s.get(Schedule, schedule_id)


def test_it_marks_a_late_tick_missed_and_fires_once(notify_db, receiver) -> None:  # type: ignore[no-untyped-def]
    with Session(get_engine()) as s:
        make_test_case(s, notify_db, "home")
        s.commit()
    schedule = _schedule(notify_db, receiver)
    started = []

    def start(*args, **kwargs):  # type: ignore[no-untyped-def]
        run = Run(project_id=notify_db.id, trigger="schedule", schedule_id=kwargs["schedule_id"])
        started.append(run)
        return run

    late = datetime(2026, 11, 21, 7, 30, tzinfo=UTC)  # workers were down from 06:00 to 07:30
    schedules.fire_due_schedules(now=late, start=start)
    schedules.fire_due_schedules(now=late + timedelta(seconds=2), start=start)
    assert len(started) == 1
    row = _row(schedule.id)
    assert row.missed_at == late and "no worker ran the scheduler at 2026-11-21 06:00" in row.missed_reason
    drain()
    [event] = [r.json() for r in receiver.received]
    assert event["type"] == "schedule.missed" and event["data"]["schedule_name"] == "Nightly"
    assert event["data"]["due_at"] == "2026-11-21T06:00:00Z" and receiver.received[0].signature_ok


def test_it_does_not_mark_a_tick_within_the_grace(notify_db, receiver) -> None:  # type: ignore[no-untyped-def]
    schedule = _schedule(notify_db, receiver)
    schedules.fire_due_schedules(now=datetime(2026, 11, 21, 6, 0, 5, tzinfo=UTC),
                                 start=lambda *a, **k: Run(project_id=notify_db.id, trigger="schedule"))
    assert _row(schedule.id).missed_at is None
    assert drain() == 0


def test_it_marks_a_tick_whose_run_cannot_start(notify_db, receiver) -> None:  # type: ignore[no-untyped-def]
    schedule = _schedule(notify_db, receiver)

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RunError("no tests match this selection")

    schedules.fire_due_schedules(now=datetime(2026, 11, 21, 6, 0, 1, tzinfo=UTC), start=refuse)
    assert "no tests match this selection" in _row(schedule.id).missed_reason
    drain()
    assert [r.json()["data"]["reason"] for r in receiver.received] == [
        "no run started: no tests match this selection"]
