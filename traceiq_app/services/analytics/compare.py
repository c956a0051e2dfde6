"""Run comparison: a run against its baseline (the previous finished run of the same project,
test selection and branch, or any run the caller picks): new failures, fixed, still failing,
newly flaky, tests added / removed, and the tests that got markedly slower or faster."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import ResultFact, Run, RunStatus
from traceiq_app.services.analytics import metrics
from traceiq_app.services.analytics.errors import AnalyticsInvalid

SLOWER_RATIO = 1.5  # "markedly": at least 1.5x and
SLOWER_MIN_MS = 500  # at least 500 ms apart
CATEGORIES = ("new_failures", "fixed", "still_failing", "newly_flaky", "added", "removed", "slower", "faster")
FINAL = [s.value for s in RunStatus if s.is_final]


class CompareError(AnalyticsInvalid):
    """Bad input: `field` names what is wrong."""


def baseline_for(run: Run) -> Run | None:
    with session_scope() as session:
        candidates = session.exec(select(Run).where(
            Run.project_id == run.project_id, Run.id != run.id, col(Run.created_at) < run.created_at,
            col(Run.status).in_(FINAL), Run.branch == run.branch if run.branch else col(Run.branch).is_(None))
            .order_by(col(Run.created_at).desc()).limit(50)).all()
        for c in candidates:
            if (c.selection or {}) == (run.selection or {}):
                session.expunge(c)
                return c
    return None


def _facts(run_id: uuid.UUID) -> dict[tuple[str, str], ResultFact]:
    with session_scope() as session:
        rows = session.exec(select(ResultFact).where(ResultFact.run_id == run_id)).all()
        for r in rows:
            session.expunge(r)
    return {(r.test_key, r.browser): r for r in rows}


def _entry(f: ResultFact, b: ResultFact | None = None) -> dict[str, Any]:
    out = {"test_id": f.test_key, "name": f.test_name, "browser": f.browser, "status": f.status,
           "duration_ms": f.duration_ms, "error": (f.error or "")[:500] or None}
    if b is not None:
        out.update(baseline_status=b.status, baseline_duration_ms=b.duration_ms)
    return out


def compare(run_id: uuid.UUID, baseline_id: uuid.UUID | None = None) -> dict[str, Any] | None:
    """None when the run does not exist. Raises CompareError for an unusable baseline."""
    with session_scope() as session:
        run = session.get(Run, run_id)
        if run is None:
            return None
        session.expunge(run)
        baseline = None
        if baseline_id is not None:
            baseline = session.get(Run, baseline_id)
            if baseline is None or baseline.project_id != run.project_id:
                raise CompareError("baseline", "no such run in this run's project")
            if baseline.id == run.id:
                raise CompareError("baseline", "is the run itself")
            session.expunge(baseline)
    if baseline is None:
        baseline = baseline_for(run)
    out: dict[str, Any] = {"run_id": str(run.id), "baseline_id": str(baseline.id) if baseline else None,
                           "baseline_picked": baseline_id is not None, **{c: [] for c in CATEGORIES}}
    if baseline is None:
        return out
    now, before = _facts(run.id), _facts(baseline.id)
    for key, f in sorted(now.items(), key=lambda kv: kv[1].test_name):
        b = before.get(key)
        if b is None:
            out["added"].append(_entry(f))
            continue
        now_fail, was_fail = f.status in metrics.FAILING, b.status in metrics.FAILING
        if now_fail and not was_fail and b.status in metrics.PASSING:
            out["new_failures"].append(_entry(f, b))
        elif now_fail and was_fail:
            out["still_failing"].append(_entry(f, b))
        elif f.status in metrics.PASSING and was_fail:
            out["fixed"].append(_entry(f, b))
        if f.status == "flaky" and b.status != "flaky":
            out["newly_flaky"].append(_entry(f, b))
        if f.duration_ms and b.duration_ms and not now_fail and not was_fail:
            if f.duration_ms >= SLOWER_RATIO * b.duration_ms and f.duration_ms - b.duration_ms >= SLOWER_MIN_MS:
                out["slower"].append(_entry(f, b))
            elif b.duration_ms >= SLOWER_RATIO * f.duration_ms and b.duration_ms - f.duration_ms >= SLOWER_MIN_MS:
                out["faster"].append(_entry(f, b))
    out["removed"] = [_entry(b) for key, b in sorted(before.items(), key=lambda kv: kv[1].test_name)
                      if key not in now]
    return out
