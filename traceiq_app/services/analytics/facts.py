"""`result_facts`: one row per final result (test x browser) of a finished run.

Written by `record_run` when a run closes (runs/results.py for native runs,
runs/imported_results/store.py for imported ones) inside the caller's transaction; idempotent
(a run's facts are replaced). `backfill` builds them for runs that closed before analytics
existed. Everything else in analytics reads these rows, never the step table."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import ResultFact, Run, StepResult, TestCase, TestResult, TestResultStatus
from traceiq_app.services.analytics import daily
from traceiq_app.services.analytics.signatures import signature_of

OPEN = (TestResultStatus.queued.value, TestResultStatus.running.value)


def test_key(test_case_id: uuid.UUID | str | None, name: str) -> str:
    return str(test_case_id) if test_case_id else f"name:{name}"[:300]


def _latest(results: list[TestResult]) -> list[TestResult]:
    latest: dict[tuple[str, str], TestResult] = {}
    for r in results:
        key = (test_key(r.test_case_id, r.test_name), str(r.browser))
        if key not in latest or r.attempt > latest[key].attempt:
            latest[key] = r
    return [r for r in latest.values() if str(r.status) not in OPEN]


def record_run(session: Session, run: Run, quarantined: set[str] | None = None) -> list[ResultFact]:
    """(Re)write the facts of `run` from the latest attempt of each test and browser.
    `quarantined`: test keys under an active quarantine (read when None)."""
    from traceiq_app.services.analytics.quarantine import active_keys

    if quarantined is None:
        quarantined = active_keys(session, run.project_id)
    replaced = daily.counts(session.exec(select(ResultFact).where(ResultFact.run_id == run.id)).all())
    session.execute(sa.delete(ResultFact).where(col(ResultFact.run_id) == run.id))
    results = _latest(list(session.exec(select(TestResult).where(TestResult.run_id == run.id)).all()))
    case_ids = {r.test_case_id for r in results if r.test_case_id}
    cases: dict[uuid.UUID, tuple[uuid.UUID | None, list[str]]] = {}
    if case_ids:
        for cid, suite_id, tags in session.execute(sa.select(col(TestCase.id), col(TestCase.suite_id),
                                                             col(TestCase.tags))
                                                   .where(col(TestCase.id).in_(case_ids))).all():
            cases[cid] = (suite_id, list(tags or []))
    failed_steps: dict[tuple[uuid.UUID, int], tuple[str, str | None]] = {}
    wanted = [(r.id, r.failed_step) for r in results if r.failed_step is not None]
    if wanted:
        rows = session.execute(sa.select(col(StepResult.test_result_id), col(StepResult.step_index),
                                         col(StepResult.action), col(StepResult.locator_used))
                               .where(col(StepResult.test_result_id).in_([w[0] for w in wanted]))).all()
        for rid, index, action, locator in rows:
            failed_steps[(rid, index)] = (action, locator)
    facts = []
    for r in results:
        key = test_key(r.test_case_id, r.test_name)
        suite_id, tags = cases.get(r.test_case_id, (None, [])) if r.test_case_id else (None, [])
        status = str(r.status)
        fields: dict[str, Any] = {}
        if status in ("failed", "error"):
            step, locator = failed_steps.get((r.id, r.failed_step), (None, None)) if r.failed_step is not None \
                else (None, None)
            if step is None and r.failed_step is not None:
                steps = (r.definition or {}).get("steps") or []
                if 0 <= r.failed_step < len(steps):
                    step = str(steps[r.failed_step].get("action") or "")
            sig = signature_of(r.error, step, locator)
            fields = {"signature": sig.key, "error_category": sig.category, "error_step": sig.step or None,
                      "error_locator": sig.locator or None, "error_pattern": sig.pattern,
                      "error": (r.error or "")[:2000] or None}
        facts.append(ResultFact(
            project_id=run.project_id, run_id=run.id, test_result_id=r.id, test_case_id=r.test_case_id,
            test_key=key, test_name=r.test_name[:300], suite_id=suite_id,
            tags=("," + ",".join(tags) + ",")[:2000] if tags else "", browser=str(r.browser), status=status,
            attempts=r.attempt, flaky_on_retry=status == TestResultStatus.flaky.value, quarantined=key in quarantined,
            duration_ms=r.duration_ms, branch=run.branch, environment_id=run.environment_id,
            trigger=str(run.trigger), started_at=r.started_at or run.started_at,
            finished_at=r.finished_at or run.finished_at or run.created_at, **fields))
    session.add_all(facts)
    session.flush()
    delta = daily.counts(facts)
    delta.subtract(replaced)
    daily.apply(session, run.project_id, delta)
    return facts


def backfill(project_id: uuid.UUID | None = None) -> int:
    """Facts for finished runs that have none (runs closed before analytics existed)."""
    done = 0
    with session_scope() as session:
        have = sa.select(col(ResultFact.run_id)).distinct()
        stmt = select(Run).where(col(Run.finished_at).is_not(None), col(Run.id).not_in(have))
        if project_id is not None:
            stmt = stmt.where(Run.project_id == project_id)
        for run in session.exec(stmt).all():
            record_run(session, run)
            done += 1
    return done
