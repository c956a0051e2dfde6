"""Where runs meet notifications: when a run ends (`run_ended`, called by `results.finish_attempt`
and `control.cancel_run` after the run is closed) and when a schedule tick is missed
(`schedule_missed`). Both only build the event's data and call `notifications.publish`, which
writes deliveries and queues them: nothing is sent from a test job or a request, and an error
here is logged, never raised into the run.

Events: `run.finished` (every end), `run.failed` (failed / error / timed out) and
`run.recovered` (passed after a failed previous run of the same schedule and branch). Each
event id is derived from the run id, so a repeated call publishes nothing new."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import (
    Environment,
    Project,
    Run,
    RunStatus,
    Schedule,
    TestCase,
    TestResult,
    TestResultStatus,
)

log = logging.getLogger("traceiq.notifications")

FAILED = (RunStatus.failed.value, RunStatus.error.value, RunStatus.timed_out.value)
MAX_FAILURES = 200


def _url(path: str) -> str | None:
    from traceiq_app.settings import get_settings

    base = (get_settings().public_url or "").rstrip("/")
    return f"{base}{path}" if base else None


def run_event_data(run_id: uuid.UUID) -> dict[str, Any] | None:
    """The `data` of run.* events (schema in docs/webhooks.md)."""
    with session_scope() as session:
        run = session.get(Run, run_id)
        if run is None:
            return None
        project = session.get(Project, run.project_id)
        environment = session.get(Environment, run.environment_id) if run.environment_id else None
        schedule = session.get(Schedule, run.schedule_id) if run.schedule_id else None
        previous_q = select(Run.status).where(
            Run.project_id == run.project_id, col(Run.created_at) < run.created_at,
            col(Run.finished_at).is_not(None), col(Run.id) != run.id,
            col(Run.status).in_([s.value for s in RunStatus if s.is_final and s != RunStatus.cancelled]))
        previous_q = previous_q.where(Run.schedule_id == run.schedule_id) if run.schedule_id else \
            previous_q.where(col(Run.schedule_id).is_(None))
        previous_q = previous_q.where(Run.branch == run.branch) if run.branch else previous_q
        previous = session.exec(previous_q.order_by(col(Run.created_at).desc()).limit(1)).first()
        results = session.exec(select(TestResult).where(TestResult.run_id == run.id)
                               .order_by(col(TestResult.attempt).desc())).all()
        latest: dict[tuple[str, str], TestResult] = {}
        for r in results:
            latest.setdefault((str(r.test_case_id or r.test_name), str(r.browser)), r)
        case_ids = {r.test_case_id for r in latest.values() if r.test_case_id}
        cases = {c.id: c for c in session.exec(select(TestCase).where(col(TestCase.id).in_(case_ids))).all()} \
            if case_ids else {}
        failing = [r for r in latest.values()
                   if r.status in (TestResultStatus.failed, TestResultStatus.error)]
        tags = sorted({t for c in cases.values() for t in (c.tags or [])})
        suite_ids = sorted({str(c.suite_id) for c in cases.values() if c.suite_id})
        selection = run.selection or {}
        return {
            "run_id": str(run.id), "project_id": str(run.project_id),
            "project_name": project.name if project else "",
            "run_title": f"Run {str(run.id)[-8:]}",
            "status": str(run.status), "previous_status": str(previous) if previous is not None else None,
            "trigger": str(run.trigger), "schedule_id": str(run.schedule_id) if run.schedule_id else None,
            "schedule_name": schedule.name if schedule else None,
            "branch": run.branch, "commit": run.commit_sha,
            "environment_id": str(run.environment_id) if run.environment_id else None,
            "environment_name": environment.name if environment else None,
            "totals": {"total": run.total, "passed": run.passed, "failed": run.failed, "flaky": run.flaky,
                       "errors": run.errors, "skipped": run.skipped},
            "duration_ms": run.duration_ms,
            "started_at": _iso(run.started_at), "finished_at": _iso(run.finished_at),
            "suite_ids": sorted(set(suite_ids) | {str(s) for s in selection.get("suite_ids", [])}),
            "tags": sorted(set(tags) | set(selection.get("tags", []))),
            "failing_tests": [{"name": r.test_name, "browser": str(r.browser), "status": str(r.status),
                               "error": (r.error or "")[:2000], "failed_step": r.failed_step}
                              for r in failing[:MAX_FAILURES]],
            "failing_count": len(failing),
            "url": _url(f"/runs/{run.id}"),
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def events_for(data: dict[str, Any]) -> list[str]:
    events = ["run.finished"]
    if data["status"] in FAILED:
        events.append("run.failed")
    elif data["status"] == RunStatus.passed.value and data.get("previous_status") in FAILED:
        events.append("run.recovered")
    return events


def run_ended(run_id: uuid.UUID) -> list[str]:
    """Publish the events of a run that just ended; returns their types."""
    from traceiq_app.services.notifications import publish

    try:
        data = run_event_data(run_id)
        if data is None:
            return []
        events = events_for(data)
        for event_type in events:
            publish(uuid.UUID(data["project_id"]), event_type, data, event_id=f"{event_type}:{run_id}")
        return events
    except Exception:  # noqa: BLE001 - a notification problem must never fail a run
        log.exception("could not publish the end of run %s", run_id)
        return []


def schedule_missed(schedule: Schedule, due_at: datetime, reason: str) -> None:
    from traceiq_app.services.notifications import publish

    with session_scope() as session:
        project = session.get(Project, schedule.project_id)
        project_name = project.name if project else ""
    data = {"schedule_id": str(schedule.id), "schedule_name": schedule.name, "project_id": str(schedule.project_id),
            "project_name": project_name, "cron": schedule.cron, "timezone": schedule.timezone,
            "due_at": _iso(due_at), "reason": reason, "trigger": "schedule",
            "url": _url(f"/projects/{schedule.project_id}/schedules")}
    publish(schedule.project_id, "schedule.missed", data,
            event_id=f"schedule.missed:{schedule.id}:{due_at.isoformat()}")
