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
from datetime import UTC, datetime
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


def next_fire_after(cron: str, timezone: str, after: datetime) -> datetime:
    """The first fire time strictly after `after`, as aware UTC (wall-clock cron in `timezone`,
    so "0 9 * * *" stays 09:00 local across DST changes)."""
    if after.tzinfo is None:
        raise ValueError("`after` must be timezone-aware")
    local = after.astimezone(_zone(timezone))
    nxt = croniter(validate_cron(cron), local).get_next(datetime)
    return nxt.astimezone(UTC)


def create_schedule(project_id: uuid.UUID, name: str, cron: str, *, timezone: str = "UTC",
                    selection: RunSelection | dict[str, Any] | None = None,
                    environment_id: uuid.UUID | None = None, browsers: Sequence[str] | None = None,
                    enabled: bool = True, created_by: uuid.UUID | None = None,
                    now: datetime | None = None) -> Schedule:
    now = now or utcnow()
    cron = validate_cron(cron)
    _zone(timezone)
    if isinstance(selection, dict):
        selection = RunSelection.model_validate(selection)
    browser_values = [Browser(b).value for b in (browsers or [Browser.chromium])]
    with session_scope() as session:
        if environment_id is not None:
            env = session.get(Environment, environment_id)
            if env is None or env.project_id != project_id:
                raise ScheduleError("environment not found in this project")
        schedule = Schedule(
            project_id=project_id, name=name, cron=cron, timezone=timezone,
            selection=(selection or RunSelection()).to_json(), environment_id=environment_id,
            browsers=browser_values, enabled=enabled, created_by=created_by,
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


def update_schedule(schedule_id: uuid.UUID, *, cron: str | None = None, timezone: str | None = None,
                    now: datetime | None = None) -> Schedule:
    now = now or utcnow()
    with session_scope() as session:
        schedule = session.get(Schedule, schedule_id)
        if schedule is None:
            raise ScheduleError("schedule not found")
        if cron is not None:
            schedule.cron = validate_cron(cron)
        if timezone is not None:
            _zone(timezone)
            schedule.timezone = timezone
        if schedule.enabled:
            schedule.next_fire_at = next_fire_after(schedule.cron, schedule.timezone, now)
    return schedule


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
    this call started (other processes' fires are not included)."""
    from traceiq_app.services.runs.control import RunError, start_run

    now = now or utcnow()
    start = start or start_run
    with session_scope() as session:
        due = list(session.exec(select(Schedule).where(
            col(Schedule.enabled).is_(True), col(Schedule.next_fire_at).is_not(None),
            col(Schedule.next_fire_at) <= now,
        )).all())
    started: list[uuid.UUID] = []
    for schedule in due:
        assert schedule.next_fire_at is not None
        try:
            next_at = next_fire_after(schedule.cron, schedule.timezone, now)
        except ScheduleError:
            log.exception("schedule %s has an invalid cron/time zone; disabling it", schedule.id)
            set_enabled(schedule.id, False, now)
            continue
        if not claim_fire(schedule.id, schedule.next_fire_at, next_at, now):
            continue  # another process fired this tick
        try:
            run = start(schedule.project_id, selection=schedule.selection, environment_id=schedule.environment_id,
                        browsers=schedule.browsers or None, trigger=RunTrigger.schedule, schedule_id=schedule.id)
        except RunError as exc:
            log.warning("schedule %s (%s) fired but no run started: %s", schedule.id, schedule.name, exc)
            continue
        started.append(run.id)
    return started
