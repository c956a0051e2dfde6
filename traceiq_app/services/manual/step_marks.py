"""Marking a manual run: step results (ONE conditional UPDATE per write, `version` bumped; a
concurrent change of the same step is refused with `Conflict`, never overwritten), the test's
outcome recomputed from its steps, outcome overrides with a reason, and attachments logged.
Each change is published on the run's live-event stream."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import ManualRunTest, ManualStepResult, utcnow
from traceiq_app.services.catalog.projects import Invalid, NotFound
from traceiq_app.services.manual.lifecycle import ensure_open
from traceiq_app.services.manual.outcomes import (
    OVERRIDES,
    STEP_MARKS,
    Conflict,
    derive_outcome,
    effective_outcome,
)
from traceiq_app.services.manual.run_views import (
    STEP_EVENT,
    TEST_EVENT,
    StepView,
    _emails,
    _log,
    _run,
    _when,
    test_steps,
)
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.services.runs import live_events


def _recompute(session: Session, test: ManualRunTest, principal: Principal) -> str:
    statuses = list(session.exec(select(ManualStepResult.status).where(
        ManualStepResult.run_test_id == test.id).order_by(col(ManualStepResult.step_index))).all())
    test.outcome = derive_outcome(statuses)
    test.updated_by, test.updated_at, test.version = principal.user_id, utcnow(), test.version + 1
    session.add(test)
    return effective_outcome(test)


def record_step(project_id: uuid.UUID, run_id: uuid.UUID | str, step_result_id: uuid.UUID | str,
                principal: Principal, *, status: str, actual: str | None = None,
                expected_version: int) -> StepView:
    """Mark a step (and optionally its actual-result note). Refused with Conflict when the step
    changed since `expected_version` (another tester); Invalid for an unknown status."""
    if status not in STEP_MARKS and status != "untested":
        raise Invalid(f"status: one of {', '.join(STEP_MARKS)}")
    if actual is not None and len(actual) > 10_000:
        raise Invalid("actual result: at most 10000 characters")
    with session_scope() as session:
        run = _run(session, project_id, run_id)
        ensure_open(session, run)
        try:
            sid = uuid.UUID(str(step_result_id))
        except ValueError:
            raise NotFound("step") from None
        row = session.get(ManualStepResult, sid)
        if row is None or row.run_id != run.id:
            raise NotFound("step")
        # One writer per test at a time (Postgres; SQLite serializes writers anyway): the outcome
        # recomputed below then sees every other tester's committed step of this test.
        session.exec(select(ManualRunTest).where(ManualRunTest.id == row.run_test_id).with_for_update()).one()
        now = utcnow()
        values: dict[str, Any] = {"status": status, "version": ManualStepResult.version + 1,
                                  "by_id": principal.user_id, "at": now}
        if actual is not None:
            values["actual"] = actual
        result = session.execute(sa.update(ManualStepResult).where(
            col(ManualStepResult.id) == sid, col(ManualStepResult.version) == int(expected_version)).values(**values))
        test = session.get(ManualRunTest, row.run_test_id)
        assert test is not None
        if result.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            fresh = session.get(ManualStepResult, sid)
            who = _emails(session, {fresh.by_id}).get(fresh.by_id, "someone") if fresh and fresh.by_id else "someone"
            mark = fresh.status if fresh else "changed"
            raise Conflict(f"Step {row.step_index + 1} of '{test.name}' was just marked {mark} by {who}"
                           f"{' at ' + _when(fresh.at) if fresh and fresh.at else ''}; your change was not saved. "
                           "The step now shows their result: check it and mark it again if needed.")
        session.expire_all()
        test = session.get(ManualRunTest, row.run_test_id)
        assert test is not None
        outcome = _recompute(session, test, principal)
        note = f" — {actual.strip()[:200]}" if actual and actual.strip() else ""
        _log(session, run.id, principal, "step." + status,
             f"marked step {row.step_index + 1} of '{test.name}' {status}{note}")
        session.flush()
        test_id, index = str(test.id), row.step_index
    live_events.publish(run.id, STEP_EVENT, step_result_id=str(sid), run_test_id=test_id, step_index=index,
                        status=status, outcome=outcome, by=principal.email)
    steps = test_steps(project_id, run.id, test_id)
    return next(s for s in steps if s.id == str(sid))


def override_outcome(project_id: uuid.UUID, run_id: uuid.UUID | str, run_test_id: uuid.UUID | str,
                     principal: Principal, *, outcome: str | None, reason: str = "") -> ManualRunTest:
    """Set a test's outcome by hand (with a reason), or clear the override (`outcome=None`)."""
    if outcome is not None and outcome not in OVERRIDES:
        raise Invalid(f"outcome: one of {', '.join(OVERRIDES)}")
    reason = (reason or "").strip()
    if outcome is not None and not reason:
        raise Invalid("reason: say why the outcome differs from its steps")
    with session_scope() as session:
        run = _run(session, project_id, run_id)
        ensure_open(session, run)
        test = session.get(ManualRunTest, uuid.UUID(str(run_test_id)))
        if test is None or test.run_id != run.id:
            raise NotFound("test of this run")
        test.override, test.override_reason = outcome, (reason[:2000] if outcome else None)
        test.updated_by, test.updated_at, test.version = principal.user_id, utcnow(), test.version + 1
        session.add(test)
        _log(session, run.id, principal, "test.override",
             f"set the outcome of '{test.name}' to {outcome} ({reason[:200]})" if outcome
             else f"cleared the outcome override of '{test.name}'")
        session.flush()
        session.expunge(test)
    live_events.publish(run.id, TEST_EVENT, action="test.override", run_test_id=str(test.id),
                        outcome=effective_outcome(test), by=principal.email)
    return test


def log_attachment(run_id: uuid.UUID, principal: Principal, step_result_id: uuid.UUID, filename: str) -> None:
    """Record an attachment added to a step (activity + live event)."""
    with session_scope() as session:
        row = session.get(ManualStepResult, step_result_id)
        test = session.get(ManualRunTest, row.run_test_id) if row else None
        where = f"step {row.step_index + 1} of '{test.name}'" if row and test else "a step"
        _log(session, run_id, principal, "attachment.added", f"attached {filename} to {where}")
        run_test_id = str(row.run_test_id) if row else ""
    live_events.publish(run_id, STEP_EVENT, step_result_id=str(step_result_id), run_test_id=run_test_id,
                        action="attachment", by=principal.email)
