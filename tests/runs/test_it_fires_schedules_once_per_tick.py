"""Schedules: cron + time zone, next fire time, enable/disable; with a controlled clock, exactly
one of several concurrent schedulers fires a tick, a missed stretch fires once on recovery, and
the fired run executes on a real worker."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from tests.runs.conftest import quick_steps
from traceiq_app.models import Run, RunStatus, RunTrigger, Schedule
from traceiq_app.services.runs import schedules

FIRE_SCRIPT = (
    "import sys; from datetime import datetime; from traceiq_app.services.runs.schedules import fire_due_schedules;"
    "print(len(fire_due_schedules(now=datetime.fromisoformat(sys.argv[1]))))"
)


def _runs(stack, schedule_id):
    with stack.session() as s:
        return list(s.exec(select(Run).where(Run.schedule_id == schedule_id)).all())


def _schedule(stack, schedule_id):
    with stack.session() as s:
        return s.get(Schedule, schedule_id)


def test_it_computes_fire_times_in_the_schedule_time_zone():
    winter = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    summer = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
    assert schedules.next_fire_after("0 9 * * *", "Europe/Paris", winter) == datetime(2026, 1, 16, 8, 0, tzinfo=UTC)
    assert schedules.next_fire_after("0 9 * * *", "Europe/Paris", summer) == datetime(2026, 7, 16, 7, 0, tzinfo=UTC)
    assert schedules.next_fire_after("*/15 * * * *", "UTC", winter) == winter + timedelta(minutes=15)
    for bad_cron in ("61 * * * *", "every day", "* * * *"):
        try:
            schedules.validate_cron(bad_cron)
        except schedules.ScheduleError:
            continue
        raise AssertionError(f"{bad_cron!r} accepted")


def test_it_fires_each_tick_exactly_once_and_catches_up_once(stack, site_url):
    project = stack.project(site_url)
    stack.test_case(project, "nightly check", quick_steps(), tags=["nightly"])
    stack.test_case(project, "other", quick_steps())
    t0 = datetime(2026, 11, 21, 6, 58, tzinfo=UTC)
    schedule = schedules.create_schedule(project.id, "Nightly", "0 8 * * *", timezone="Europe/Paris",
                                         selection={"tags": ["nightly"]}, now=t0)
    due = datetime(2026, 11, 21, 7, 0, tzinfo=UTC)  # 08:00 in Paris (winter time)
    assert _schedule(stack, schedule.id).next_fire_at == due

    assert schedules.fire_due_schedules(now=due - timedelta(seconds=1)) == []

    # Three schedulers (separate processes, as on three workers) hit the same tick at once.
    tick = (due + timedelta(seconds=1)).isoformat()
    procs = [subprocess.Popen([sys.executable, "-c", FIRE_SCRIPT, tick], env=stack.env, stdout=subprocess.PIPE,
                              text=True) for _ in range(3)]
    fired = sorted(int(p.communicate(timeout=120)[0].strip() or 0) for p in procs)
    assert fired == [0, 0, 1]
    (run,) = _runs(stack, schedule.id)
    assert run.trigger == RunTrigger.schedule and run.total == 1
    assert _schedule(stack, schedule.id).next_fire_at == due + timedelta(days=1)

    # Down for three days: one fire on recovery, not three; the next tick is after "now".
    later = due + timedelta(days=3, hours=2)
    assert len(schedules.fire_due_schedules(now=later)) == 1
    assert schedules.fire_due_schedules(now=later + timedelta(minutes=1)) == []
    assert _schedule(stack, schedule.id).next_fire_at == due + timedelta(days=4)

    # Disabled: never fires; re-enabled: next tick from now, no catch-up.
    schedules.set_enabled(schedule.id, False, now=later)
    assert schedules.fire_due_schedules(now=later + timedelta(days=5)) == []
    schedules.set_enabled(schedule.id, True, now=later + timedelta(days=5))
    assert _schedule(stack, schedule.id).next_fire_at == due + timedelta(days=9)
    assert len(_runs(stack, schedule.id)) == 2

    # A worker executes the fired runs.
    stack.start_worker()
    for fired_run in _runs(stack, schedule.id):
        done = stack.wait_run(fired_run.id)
        assert done.status == RunStatus.passed and done.total == 1
