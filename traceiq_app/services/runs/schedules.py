"""Schedules: start a run of a selection on a cron expression evaluated in a time zone.

Firing is claimed in the database: `UPDATE schedules SET next_fire_at = <next> WHERE id = ?
AND next_fire_at = <the due value>` succeeds for exactly one process, however many workers
run the maintenance pass at the same moment. The next fire time is computed from *now*, so a
scheduler that was down for several ticks fires once on recovery, not once per missed tick.
Every function takes `now` (aware) so tests control the clock.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from croniter import croniter
from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import Browser, Environment, Run, RunSelection, RunTrigger, Schedule, utcnow

log = logging.getLogger(__name__)


class ScheduleError(ValueError):
    pass


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"unknown time zone {name!r} (use an IANA name like Europe/Paris)") from exc


def validate_cron(expression: str) -> str:
    expression = " ".join(expression.split())
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise ScheduleError(f"invalid cron expression {expression!r} (5 fields: minute hour day month weekday)")
    return expression


def validate_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ScheduleError("enter a name for the schedule")
    if len(name) > 200:
        raise ScheduleError("the name is longer than 200 characters")
    return name


def validate_retries(retries: int) -> int:
    if not 0 <= int(retries) <= 5:
        raise ScheduleError("retries must be between 0 and 5")
    return int(retries)


def validate_browsers(browsers: Sequence[str] | None) -> list[str]:
    values = list(dict.fromkeys(str(b) for b in (browsers or [Browser.chromium.value])))
    try:
        return [Browser(b).value for b in values]
    except ValueError:
        raise ScheduleError(f"unknown browser in {values} (use chromium, firefox or webkit)") from None


def next_fire_after(cron: str, timezone: str, after: datetime) -> datetime:
    """The first fire time strictly after `after`, as aware UTC (wall-clock cron in `timezone`,
    so "0 9 * * *" stays 09:00 local across DST changes; a time skipped in spring fires at the
    first valid time after it, a time repeated in autumn fires once)."""
    if after.tzinfo is None:
        raise ValueError("`after` must be timezone-aware")
    zone = _zone(timezone)
    cron = validate_cron(cron)
    local = after.astimezone(zone)
    itr = croniter(cron, local)
    nxt: datetime = itr.get_next(datetime)
    # Autumn DST change: the repeated wall-clock hour would fire "0 2 * * *"-style schedules
    # twice. A fire time whose wall-clock time is not later than the one we start from is that
    # repeat: skip it (schedules that fire every hour, "*" or "*/n" hours, keep real time).
    if not cron.split()[1].startswith("*"):
        while nxt.astimezone(zone).replace(tzinfo=None) <= local.replace(tzinfo=None):
            nxt = itr.get_next(datetime)
    return nxt.astimezone(UTC)


def create_schedule(project_id: uuid.UUID, name: str, cron: str, *, timezone: str = "UTC",
                    selection: RunSelection | dict[str, Any] | None = None,
                    environment_id: uuid.UUID | None = None, browsers: Sequence[str] | None = None,
                    enabled: bool = True, created_by: uuid.UUID | None = None, retries: int = 0,
                    now: datetime | None = None) -> Schedule:
    now = now or utcnow()
    name = validate_name(name)
    cron = validate_cron(cron)
    _zone(timezone)
    retries = validate_retries(retries)
    if isinstance(selection, dict):
        selection = RunSelection.model_validate(selection)
    browser_values = validate_browsers(browsers)
    with session_scope() as session:
        if environment_id is not None:
            env = session.get(Environment, environment_id)
            if env is None or env.project_id != project_id:
                raise ScheduleError("environment not found in this project")
        schedule = Schedule(
            project_id=project_id, name=name, cron=cron, timezone=timezone,
            selection=(selection or RunSelection()).to_json(), environment_id=environment_id,
            browsers=browser_values, enabled=enabled, created_by=created_by, retries=retries,
            next_fire_at=next_fire_after(cron, timezone, now) if enabled else None,
        )
        session.add(schedule)
    return schedule


def set_enabled(schedule_id: uuid.UUID, enabled: bool, now: datetime | None = None) -> Schedule:
    """Disable (no next fire) or enable (next fire computed from now: no catch-up)."""
    now = now or utcnow()
    with session_scope() as session:
        schedule = session.get(Schedule, schedule_id)
        if schedule is None:
            raise ScheduleError("schedule not found")
        schedule.enabled = enabled
        schedule.next_fire_at = next_fire_after(schedule.cron, schedule.timezone, now) if enabled else None
    return schedule


_UNSET: Any = object()


def update_schedule(schedule_id: uuid.UUID, *, cron: str | None = None, timezone: str | None = None,
                    name: str | None = None, selection: RunSelection | dict[str, Any] | None = None,
                    environment_id: uuid.UUID | None = _UNSET, browsers: Sequence[str] | None = None,
                    retries: int | None = None, now: datetime | None = None) -> Schedule:
    now = now or utcnow()
    with session_scope() as session:
        schedule = session.get(Schedule, schedule_id)
        if schedule is None:
            raise ScheduleError("schedule not found")
        if name is not None:
            schedule.name = validate_name(name)
        if cron is not None:
            schedule.cron = validate_cron(cron)
        if timezone is not None:
            _zone(timezone)
            schedule.timezone = timezone
        if selection is not None:
            if isinstance(selection, dict):
                selection = RunSelection.model_validate(selection)
            schedule.selection = selection.to_json()
        if environment_id is not _UNSET:
            if environment_id is not None:
                env = session.get(Environment, environment_id)
                if env is None or env.project_id != schedule.project_id:
                    raise ScheduleError("environment not found in this project")
            schedule.environment_id = environment_id
        if browsers is not None:
            schedule.browsers = validate_browsers(browsers)
        if retries is not None:
            schedule.retries = validate_retries(retries)
        if schedule.enabled:
            schedule.next_fire_at = next_fire_after(schedule.cron, schedule.timezone, now)
    return schedule


def delete_schedule(schedule_id: uuid.UUID) -> Schedule:
    with session_scope() as session:
        schedule = session.get(Schedule, schedule_id)
        if schedule is None:
            raise ScheduleError("schedule not found")
        session.delete(schedule)
    return schedule


def get_schedule(schedule_id: uuid.UUID) -> Schedule | None:
    with session_scope() as session:
        return session.get(Schedule, schedule_id)


def list_schedules(project_id: uuid.UUID) -> list[Schedule]:
    with session_scope() as session:
        return list(session.exec(select(Schedule).where(Schedule.project_id == project_id)
                                 .order_by(col(Schedule.name))).all())


def next_fire_times(cron: str, timezone: str, count: int = 5, after: datetime | None = None) -> list[datetime]:
    """The next `count` fire times (aware UTC), e.g. for the page before saving."""
    after = after or utcnow()
    out: list[datetime] = []
    for _ in range(count):
        after = next_fire_after(cron, timezone, after)
        out.append(after)
    return out


def describe(cron: str, timezone: str) -> str:
    """The cron expression in words, e.g. "At 06:00, Monday through Friday (Europe/Berlin)"."""
    from cron_descriptor import ExpressionDescriptor, Options

    options = Options()
    options.use_24hour_time_format = True
    options.verbose = False
    try:
        words = ExpressionDescriptor(validate_cron(cron), options).get_description()
    except Exception:  # noqa: BLE001 - the describer's own parse errors: say it plainly
        return cron
    return f"{words} ({timezone})"


def last_runs(schedule_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Run]:
    """The newest run started by each schedule."""
    if not schedule_ids:
        return {}
    with session_scope() as session:
        runs = session.exec(select(Run).where(col(Run.schedule_id).in_(list(schedule_ids)))
                            .order_by(col(Run.created_at).desc())).all()
        out: dict[uuid.UUID, Run] = {}
        for run in runs:
            if run.schedule_id is not None and run.schedule_id not in out:
                out[run.schedule_id] = run
        return out


def claim_fire(schedule_id: uuid.UUID, due_at: datetime, next_at: datetime, now: datetime) -> bool:
    """The exactly-once step: move next_fire_at from the value we saw to the next one."""
    with session_scope() as session:
        result = session.execute(
            sa.update(Schedule)
            .where(col(Schedule.id) == schedule_id, col(Schedule.next_fire_at) == due_at,
                   col(Schedule.enabled).is_(True))
            .values(next_fire_at=next_at, last_fired_at=now)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def fire_due_schedules(now: datetime | None = None,
                       start: Callable[..., Run] | None = None) -> list[uuid.UUID]:
    """Start a run for every enabled schedule whose next_fire_at has come; returns the run ids
    this call started (other processes' fires are not included).

    A tick found more than TRACEIQ_SCHEDULE_MISSED_GRACE_SECONDS late (no worker ran the
    scheduler in time) is marked missed (and still fires once now); a tick whose run cannot be
    started (misconfiguration, queue unreachable) is marked missed. Both publish
    `schedule.missed`."""
    from traceiq_app.services.runs.control import RunError, start_run
    from traceiq_app.settings import get_settings

    now = now or utcnow()
    start = start or start_run
    grace = timedelta(seconds=get_settings().schedule_missed_grace_seconds)
    with session_scope() as session:
        due = list(session.exec(select(Schedule).where(
            col(Schedule.enabled).is_(True), col(Schedule.next_fire_at).is_not(None),
            col(Schedule.next_fire_at) <= now,
        )).all())
    started: list[uuid.UUID] = []
    for schedule in due:
        assert schedule.next_fire_at is not None
        due_at = schedule.next_fire_at
        try:
            next_at = next_fire_after(schedule.cron, schedule.timezone, now)
        except ScheduleError as exc:
            log.exception("schedule %s has an invalid cron/time zone; disabling it", schedule.id)
            set_enabled(schedule.id, False, now)
            mark_missed(schedule, due_at, f"invalid schedule: {exc}", now)
            continue
        if not claim_fire(schedule.id, due_at, next_at, now):
            continue  # another process fired this tick
        if now - due_at > grace:
            mark_missed(schedule, due_at, f"no worker ran the scheduler at {due_at:%Y-%m-%d %H:%M} UTC "
                                          f"(fired {int((now - due_at).total_seconds() // 60)} min late)", now)
        try:
            run = start(schedule.project_id, selection=schedule.selection, environment_id=schedule.environment_id,
                        browsers=schedule.browsers or None, trigger=RunTrigger.schedule, schedule_id=schedule.id,
                        retries=schedule.retries)
        except RunError as exc:
            log.warning("schedule %s (%s) fired but no run started: %s", schedule.id, schedule.name, exc)
            mark_missed(schedule, due_at, f"no run started: {exc}", now)
            continue
        except Exception as exc:  # noqa: BLE001 - e.g. the queue is unreachable: report, go on
            log.exception("schedule %s (%s) fired but no run started", schedule.id, schedule.name)
            mark_missed(schedule, due_at, f"no run started: {type(exc).__name__}: {exc}", now)
            continue
        started.append(run.id)
    return started


def mark_missed(schedule: Schedule, due_at: datetime, reason: str, now: datetime) -> None:
    """Record a missed tick on the schedule and publish `schedule.missed` (once per tick)."""
    with session_scope() as session:
        session.execute(sa.update(Schedule).where(col(Schedule.id) == schedule.id)
                        .values(missed_at=now, missed_reason=reason[:500]))
    try:
        from traceiq_app.services.runs.notify_hooks import schedule_missed

        schedule_missed(schedule, due_at, reason)
    except Exception:  # noqa: BLE001 - notifications never break the scheduler
        log.exception("could not publish schedule.missed for %s", schedule.id)


def run_now(schedule_id: uuid.UUID, user_id: uuid.UUID | None = None) -> Run:
    """Start the schedule's run at once ("Run now"); the run shows the schedule as its trigger.
    The regular ticks are not moved. Raises RunError (no tests, bad environment...)."""
    from traceiq_app.services.runs.control import start_run

    schedule = get_schedule(schedule_id)
    if schedule is None:
        raise ScheduleError("schedule not found")
    return start_run(schedule.project_id, selection=schedule.selection, environment_id=schedule.environment_id,
                     browsers=schedule.browsers or None, retries=schedule.retries, trigger=RunTrigger.schedule,
                     schedule_id=schedule.id, user_id=user_id)
