"""Recording results as they happen, and closing runs.

- Each step is written when it ends (`record_step`): a crashed worker loses at most the step
  that was running.
- `finish_attempt` ends one attempt, schedules a retry when the run has retries left
  (fail-then-pass ends *flaky*), recounts the run and closes it when no test is left open.
  Every change to a run happens under `orchestration.lock_run`, so concurrent workers
  finishing the last tests close the run exactly once.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.engine.results import StepResult as EngineStepResult
from traceiq_app.models import (
    Artifact,
    Run,
    RunStatus,
    StepResult,
    StepStatus,
    TestResult,
    TestResultStatus,
    utcnow,
)
from traceiq_app.services.runs import live_events, notify_hooks
from traceiq_app.services.runs.orchestration import dispatch, lock_run

log = logging.getLogger(__name__)

RETRYABLE = (TestResultStatus.failed, TestResultStatus.error)


def record_step(test_result_id: uuid.UUID, result: EngineStepResult, started_at: datetime | None,
                screenshot_artifact_id: uuid.UUID | None = None) -> None:
    """Persist one finished (or skipped) step right away."""
    with session_scope() as session:
        session.add(StepResult(
            test_result_id=test_result_id,
            step_index=result.index,
            action=result.type[:32],
            name=(result.name or None) and result.name[:500],
            status=StepStatus(result.status),
            duration_ms=result.duration_ms,
            error=result.error,
            locator_used=result.locator_used,
            console_errors=list(result.console_errors),
            network_errors=list(result.network_errors),
            screenshot_artifact_id=screenshot_artifact_id,
            started_at=started_at,
            finished_at=utcnow(),
        ))


# ---- counting ----------------------------------------------------------------------------
def recount(session: Session, run: Run) -> bool:
    """Recompute the run's totals from its latest attempt per test and browser; returns
    whether any test is still open (queued or running)."""
    rows = session.execute(
        sa.select(col(TestResult.test_case_id), col(TestResult.test_name), col(TestResult.browser),
                  col(TestResult.attempt), col(TestResult.status)).where(col(TestResult.run_id) == run.id)
    ).all()
    latest: dict[tuple[str, str], tuple[int, TestResultStatus]] = {}
    for case_id, name, browser, attempt, status in rows:
        key = (str(case_id or name), str(browser))
        if key not in latest or attempt > latest[key][0]:
            latest[key] = (attempt, TestResultStatus(status))
    statuses = [s for _a, s in latest.values()]
    run.total = len(statuses)
    run.passed = statuses.count(TestResultStatus.passed)
    run.failed = statuses.count(TestResultStatus.failed)
    run.flaky = statuses.count(TestResultStatus.flaky)
    run.errors = statuses.count(TestResultStatus.error)
    run.skipped = statuses.count(TestResultStatus.skipped) + statuses.count(TestResultStatus.cancelled)
    return any(not s.is_final for s in statuses)


def final_run_status(run: Run, forgiven: tuple[int, int] = (0, 0)) -> RunStatus:
    """`forgiven`: (failed, errors) of quarantined tests, which do not fail the run."""
    if run.failed - forgiven[0] > 0:
        return RunStatus.failed
    if run.errors - forgiven[1] > 0:
        return RunStatus.error
    if run.skipped and not (run.passed or run.flaky):
        return RunStatus.cancelled
    return RunStatus.passed


def run_summary(run: Run) -> dict[str, Any]:
    return {
        "status": str(run.status), "total": run.total, "passed": run.passed, "failed": run.failed,
        "flaky": run.flaky, "errors": run.errors, "skipped": run.skipped, "duration_ms": run.duration_ms,
    }


# ---- finishing an attempt ----------------------------------------------------------------
@dataclass(frozen=True)
class AttemptOutcome:
    test_result_id: uuid.UUID
    run_id: uuid.UUID
    status: TestResultStatus
    retry_id: uuid.UUID | None
    run_closed: bool
    summary: dict[str, Any]


def finish_attempt(
    test_result_id: uuid.UUID,
    status: TestResultStatus,
    *,
    error: str | None = None,
    failed_step: int | None = None,
    duration_ms: int | None = None,
    retryable: bool = True,
    only_if_worker: str | None = None,
) -> AttemptOutcome | None:
    """End a running attempt. Returns None when it was already ended (by the reaper, a cancel,
    or another worker). `only_if_worker`: end it only if that worker still owns it."""
    from traceiq_app.services.runs.artifacts import finalize_artifacts

    with session_scope() as session:
        found = session.exec(select(TestResult.run_id).where(TestResult.id == test_result_id)).first()
        if found is None:
            return None
        run_id = found
        lock_run(session, run_id)
        result = session.get(TestResult, test_result_id)
        run = session.get(Run, run_id)
        assert result is not None and run is not None
        if only_if_worker is not None and result.worker_id != only_if_worker:
            return None
        if TestResultStatus(result.status).is_final:
            if only_if_worker is not None and result.finished_at is not None:
                # Ended by a cancel while this worker ran it: its late artifacts get their expiry.
                finalize_artifacts(session, test_result_id, TestResultStatus(result.status), result.finished_at)
            return None
        now = utcnow()
        if status == TestResultStatus.passed and result.attempt > 1:
            status = TestResultStatus.flaky  # earlier attempts of this test failed
        result.status = status
        result.error = error
        result.failed_step = failed_step
        result.finished_at = now
        if duration_ms is None and result.started_at is not None:
            duration_ms = int((now - result.started_at).total_seconds() * 1000)
        result.duration_ms = duration_ms
        retry: TestResult | None = None
        if (retryable and status in RETRYABLE and result.attempt <= run.retries
                and not RunStatus(run.status).is_final):
            retry = TestResult(
                run_id=run.id, test_case_id=result.test_case_id, test_name=result.test_name,
                browser=result.browser, attempt=result.attempt + 1, status=TestResultStatus.queued,
                definition=dict(result.definition or {}),
            )
            session.add(retry)
        session.flush()
        finalize_artifacts(session, test_result_id, status, now)
        still_open = recount(session, run)
        run_closed = False
        if not still_open and not RunStatus(run.status).is_final:
            run.finished_at = now
            run.duration_ms = int((now - (run.started_at or run.created_at)).total_seconds() * 1000)
            run.status = final_run_status(run, close_analytics(session, run))
            run_closed = True
        outcome = AttemptOutcome(test_result_id, run_id, status, retry.id if retry else None, run_closed,
                                 run_summary(run))
        test_payload: dict[str, Any] = {
            "test_result_id": str(result.id), "test_case_id": str(result.test_case_id),
            "name": result.test_name, "browser": str(result.browser), "attempt": result.attempt,
            "status": str(status), "error": error, "failed_step": failed_step, "duration_ms": duration_ms,
        }
    live_events.publish(run_id, live_events.TEST_FINISHED, **test_payload)
    if retry is not None:
        live_events.publish(run_id, live_events.TEST_QUEUED, test_result_id=str(retry.id),
                            attempt=retry.attempt, name=retry.test_name, browser=str(retry.browser),
                            reason="retry")
    if run_closed:
        live_events.publish(run_id, live_events.RUN_FINISHED, **outcome.summary)
        live_events.expire_stream(run_id)
        notify_hooks.run_ended(run_id)
    else:
        live_events.publish(run_id, live_events.RUN_PROGRESS, **outcome.summary)
        dispatch(run_id)
    return outcome


def close_analytics(session: Session, run: Run) -> tuple[int, int]:
    """The closing run's analytics facts and flaky states (services/analytics); returns the
    (failed, errors) that quarantined tests forgive."""
    from traceiq_app.services.analytics import facts, quarantine
    from traceiq_app.services.defects import occurrences

    written = facts.record_run(session, run)
    occurrences.record_run(session, run, written)  # later failures of a tracked cluster join its defect
    quarantine.evaluate(session, run.project_id, {f.test_key: f.test_name for f in written})
    return quarantine.forgiven(written)


def open_results(session: Session, run_id: uuid.UUID) -> list[TestResult]:
    return list(session.exec(select(TestResult).where(
        TestResult.run_id == run_id,
        col(TestResult.status).in_([TestResultStatus.queued.value, TestResultStatus.running.value]),
    )).all())


def artifacts_of(session: Session, test_result_id: uuid.UUID) -> list[Artifact]:
    return list(session.exec(select(Artifact).where(Artifact.test_result_id == test_result_id)).all())
