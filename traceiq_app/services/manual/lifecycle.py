"""Closing and reopening a manual run.

A closed run (`manual_runs.status = "closed"`) is a finished record: marking a step, overriding
an outcome or attaching a screenshot is refused with who closed it and when (`RunClosed`, an
`Invalid`, so pages show it and the API answers 422). Who closed/reopened it and when is the
run's activity (`run.closed` / `run.reopened`), so no extra columns are needed.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import ManualRun, ManualRunActivity
from traceiq_app.services.catalog.projects import Invalid, NotFound
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.services.runs import live_events

OPEN, CLOSED = "open", "closed"
CLOSED_ACTION, REOPENED_ACTION = "run.closed", "run.reopened"


class RunClosed(Invalid):
    """A write to a closed manual run."""


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else ""  # type: ignore[attr-defined]


def closure(session: Session, run: ManualRun) -> tuple[str, str]:
    """(who closed the run, when) — ("", "") while it is open."""
    if run.status != CLOSED:
        return "", ""
    row = session.exec(select(ManualRunActivity).where(
        ManualRunActivity.run_id == run.id, ManualRunActivity.action == CLOSED_ACTION)
        .order_by(col(ManualRunActivity.at).desc(), col(ManualRunActivity.id).desc())).first()
    return (row.user_email or "someone", _when(row.at)) if row else ("someone", "")


def ensure_open(session: Session, run: ManualRun) -> None:
    """Refuse a change to a closed run, saying who closed it, when, and what to do."""
    if run.status == CLOSED:
        who, when = closure(session, run)
        raise RunClosed(f"This manual run was closed by {who}{' at ' + when if when else ''}; "
                        "nothing can be marked in it. Reopen the run to change its results.")


def _set_status(project_id: uuid.UUID, run_id: uuid.UUID | str, principal: Principal, status: str) -> ManualRun:
    try:
        rid = uuid.UUID(str(run_id))
    except ValueError:
        raise NotFound("manual run") from None
    with session_scope() as session:
        run = session.get(ManualRun, rid)
        if run is None or run.project_id != project_id:
            raise NotFound("manual run")
        if run.status == status:
            raise Invalid(f"status: the run is already {status}")
        run.status = status
        session.add(run)
        action = CLOSED_ACTION if status == CLOSED else REOPENED_ACTION
        session.add(ManualRunActivity(run_id=run.id, user_id=principal.user_id, user_email=principal.email,
                                      action=action, detail="closed the run" if status == CLOSED
                                      else "reopened the run"))
        session.flush()
        session.expunge(run)
    live_events.publish(run.id, "manual.test", action=action, by=principal.email)
    return run


def close_run(project_id: uuid.UUID, run_id: uuid.UUID | str, principal: Principal) -> ManualRun:
    """Close the run: its results are final until somebody reopens it."""
    return _set_status(project_id, run_id, principal, CLOSED)


def reopen_run(project_id: uuid.UUID, run_id: uuid.UUID | str, principal: Principal) -> ManualRun:
    return _set_status(project_id, run_id, principal, OPEN)
