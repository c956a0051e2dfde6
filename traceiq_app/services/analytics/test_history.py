"""One test's history: its outcome timeline (from facts) and per-step duration trend (the steps
of its last results only: one test's rows, never a scan of the step table)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from traceiq_app.db import session_scope
from traceiq_app.models import ResultFact, StepResult

MAX_RESULTS = 60


def timeline(project_id: uuid.UUID, test_key: str, limit: int = MAX_RESULTS) -> list[dict[str, Any]]:
    """The test's last results, oldest first: run, browser, status, duration, when, error."""
    with session_scope() as session:
        rows = session.execute(sa.select(
            col(ResultFact.run_id), col(ResultFact.test_result_id), col(ResultFact.browser), col(ResultFact.status),
            col(ResultFact.duration_ms), col(ResultFact.finished_at), col(ResultFact.branch), col(ResultFact.error),
            col(ResultFact.test_name))
            .where(col(ResultFact.project_id) == project_id, col(ResultFact.test_key) == test_key)
            .order_by(col(ResultFact.finished_at).desc(), col(ResultFact.id).desc()).limit(limit)).all()
    return [{"run_id": str(r[0]), "test_result_id": str(r[1]) if r[1] else None, "browser": r[2], "status": r[3],
             "duration_ms": r[4], "at": r[5].isoformat() if r[5] else None, "branch": r[6],
             "error": (r[7] or "")[:300] or None, "name": r[8]} for r in reversed(rows)]


def step_trend(project_id: uuid.UUID, test_key: str, limit: int = 30) -> dict[str, Any]:
    """Per step (index + name), its duration in each of the test's last `limit` results:
    {"x": [result index...], "steps": [{"label", "durations": [...]}]}; shows which step got slower."""
    results = [r for r in timeline(project_id, test_key, limit) if r["test_result_id"]]
    ids = [uuid.UUID(r["test_result_id"]) for r in results]
    if not ids:
        return {"x": [], "runs": [], "steps": []}
    with session_scope() as session:
        rows = session.execute(sa.select(col(StepResult.test_result_id), col(StepResult.step_index),
                                         col(StepResult.action), col(StepResult.name), col(StepResult.duration_ms))
                               .where(col(StepResult.test_result_id).in_(ids))).all()
    position = {rid: i for i, rid in enumerate(ids)}
    steps: dict[int, dict[str, Any]] = {}
    for rid, index, action, name, duration in rows:
        entry = steps.setdefault(index, {"label": f"{index + 1}. {name or action}"[:80],
                                         "durations": [None] * len(ids)})
        entry["durations"][position[rid]] = duration
    return {"x": list(range(1, len(ids) + 1)), "runs": [r["run_id"] for r in results],
            "steps": [steps[i] for i in sorted(steps)]}
