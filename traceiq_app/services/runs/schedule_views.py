"""The Schedules page's read model and its audited changes (callers authorize `schedule.read` /
`schedule.write` first). Times are shown in the schedule's own time zone."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import Environment, Project, Schedule, Suite
from traceiq_app.services.platform import audit
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.services.runs import schedules


def local_time(value: datetime | None, timezone: str) -> str:
    if value is None:
        return "—"
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return value.astimezone(zone).strftime("%a %d %b %Y, %H:%M %Z")


def target_text(schedule: Schedule, suites: dict[str, str], environments: dict[str, str]) -> str:
    selection = schedule.selection or {}
    parts: list[str] = []
    if selection.get("suite_ids"):
        parts.append("folders: " + ", ".join(suites.get(str(s), "?") for s in selection["suite_ids"]))
    if selection.get("tags"):
        parts.append("tags: " + ", ".join(selection["tags"]))
    if selection.get("test_ids"):
        parts.append(f"{len(selection['test_ids'])} tests")
    if not parts:
        parts.append("all tests")
    env = environments.get(str(schedule.environment_id)) if schedule.environment_id else None
    parts.append(f"in {env}" if env else "no environment")
    parts.append(", ".join(schedule.browsers or ["chromium"]))
    if schedule.retries:
        parts.append(f"{schedule.retries} retries")
    return " · ".join(parts)


def choices(project_id: uuid.UUID) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(suites, environments) of the project as [{id, name}]."""
    with session_scope() as session:
        suites = [{"id": str(s.id), "name": s.name} for s in session.exec(
            select(Suite).where(Suite.project_id == project_id).order_by(col(Suite.name))).all()]
        envs = [{"id": str(e.id), "name": e.name} for e in session.exec(
            select(Environment).where(Environment.project_id == project_id).order_by(col(Environment.name))).all()]
    return suites, envs


def rows(project_id: uuid.UUID, now: datetime | None = None) -> list[dict[str, str]]:
    suites, envs = choices(project_id)
    suite_names = {s["id"]: s["name"] for s in suites}
    env_names = {e["id"]: e["name"] for e in envs}
    items = schedules.list_schedules(project_id)
    last = schedules.last_runs([s.id for s in items])
    out: list[dict[str, str]] = []
    for s in items:
        run = last.get(s.id)
        try:
            upcoming = [local_time(t, s.timezone) for t in schedules.next_fire_times(s.cron, s.timezone, 3, now)]
        except schedules.ScheduleError:
            upcoming = []
        selection = s.selection or {}
        out.append({
            "id": str(s.id), "name": s.name, "cron": s.cron, "timezone": s.timezone,
            "words": schedules.describe(s.cron, s.timezone), "target": target_text(s, suite_names, env_names),
            "enabled": "1" if s.enabled else "", "next": local_time(s.next_fire_at, s.timezone) if s.enabled else "paused",
            "upcoming": ", ".join(upcoming[1:]) if s.enabled else "",
            "last_run_id": str(run.id) if run else "", "last_status": str(run.status) if run else "",
            "last_at": local_time(run.created_at, s.timezone) if run else "never run",
            "missed": f"Missed {local_time(s.missed_at, s.timezone)}: {s.missed_reason}" if s.missed_at else "",
            "suite_id": str((selection.get("suite_ids") or [""])[0]), "tags": ", ".join(selection.get("tags") or []),
            "environment_id": str(s.environment_id or ""), "browsers": ", ".join(s.browsers or ["chromium"]),
            "retries": str(s.retries),
        })
    return out


def _audit(principal: Principal, project_id: uuid.UUID, action: str, schedule_id: uuid.UUID, name: str) -> None:
    with session_scope() as session:
        project = session.get(Project, project_id)
        if project is not None:
            audit.record(session, org_id=project.org_id, project_id=project_id, action=action, actor=principal,
                         object_type="schedule", object_id=str(schedule_id), details={"name": name})


def _owned(project_id: uuid.UUID, schedule_id: uuid.UUID) -> Schedule:
    schedule = schedules.get_schedule(schedule_id)
    if schedule is None or schedule.project_id != project_id:
        raise schedules.ScheduleError("schedule not found")
    return schedule


def save(principal: Principal, project_id: uuid.UUID, schedule_id: uuid.UUID | None, **fields: Any) -> Schedule:
    """Create (no id) or update a schedule from the page's form values, audited."""
    if schedule_id is None:
        schedule = schedules.create_schedule(project_id, created_by=principal.user_id, **fields)
        _audit(principal, project_id, "schedule.create", schedule.id, schedule.name)
        return schedule
    _owned(project_id, schedule_id)
    schedule = schedules.update_schedule(schedule_id, **fields)
    _audit(principal, project_id, "schedule.update", schedule.id, schedule.name)
    return schedule


def set_enabled(principal: Principal, project_id: uuid.UUID, schedule_id: uuid.UUID, enabled: bool) -> Schedule:
    _owned(project_id, schedule_id)
    schedule = schedules.set_enabled(schedule_id, enabled)
    _audit(principal, project_id, "schedule.resume" if enabled else "schedule.pause", schedule.id, schedule.name)
    return schedule


def delete(principal: Principal, project_id: uuid.UUID, schedule_id: uuid.UUID) -> Schedule:
    _owned(project_id, schedule_id)
    schedule = schedules.delete_schedule(schedule_id)
    _audit(principal, project_id, "schedule.delete", schedule.id, schedule.name)
    return schedule


def run_now(principal: Principal, project_id: uuid.UUID, schedule_id: uuid.UUID) -> uuid.UUID:
    _owned(project_id, schedule_id)
    return schedules.run_now(schedule_id, user_id=principal.user_id).id
