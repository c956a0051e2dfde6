"""The test health table: per test its last `window` finished results (any browser, imported
runs included): pass rate, flip rate, flaky-on-retry rate, health score, median/p95 duration with
a sparkline, the duration-regression flag and the last failure."""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import col

from traceiq_app.db import session_scope
from traceiq_app.models import ResultFact
from traceiq_app.services.analytics import metrics
from traceiq_app.services.analytics.filters import Filters, base
from traceiq_app.services.analytics.quarantine import active_keys

MAX_WINDOW = 100
HISTORY = metrics.REGRESSION_RECENT + metrics.REGRESSION_BEFORE
SORTS = ("health", "name", "runs", "pass_rate", "flip_rate", "flaky_on_retry_rate", "median_ms", "p95_ms")


class _Row(NamedTuple):
    test_key: str
    test_name: str
    status: str
    duration_ms: int | None
    finished_at: Any
    run_id: Any
    test_case_id: Any


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def health_table(project_id: uuid.UUID, filters: Filters | None = None, window: int = 10, *,
                view: str | None = None, sort: str = "health", descending: bool = False,
                test_key: str | None = None) -> list[dict[str, Any]]:
    """One row per test. `view`: None, "flaky" (flip or flaky-on-retry rate above 0) or
    "slowing" (duration regression)."""
    filters = filters or Filters()
    window = max(2, min(int(window), MAX_WINDOW))
    depth = max(window, HISTORY)
    tests_stmt = base(project_id, filters, col(ResultFact.test_key), sa.func.count(),
                      sa.func.max(col(ResultFact.test_name)))\
        .group_by(col(ResultFact.test_key))
    if test_key is not None:
        tests_stmt = tests_stmt.where(col(ResultFact.test_key) == test_key)
    # Each test's last `depth` results: one index range of ix_result_facts_test_history per test
    # (a window function over the whole project sorted every fact on each request).
    recent = base(project_id, filters, col(ResultFact.status), col(ResultFact.duration_ms),
                  col(ResultFact.finished_at), col(ResultFact.run_id), col(ResultFact.id))\
        .where(col(ResultFact.test_key) == sa.bindparam("key"))\
        .order_by(col(ResultFact.finished_at).desc(), col(ResultFact.id).desc()).limit(depth)
    last_failure = base(project_id, filters, col(ResultFact.finished_at), col(ResultFact.error),
                        col(ResultFact.run_id))\
        .where(col(ResultFact.test_key) == sa.bindparam("key"), col(ResultFact.status).in_(metrics.FAILING))\
        .order_by(col(ResultFact.finished_at).desc()).limit(1)
    with session_scope() as session:
        tests = session.execute(tests_stmt).all()
        counts = {key: int(n) for key, n, _name in tests}
        names = {key: (name, None if key.startswith("name:") else key) for key, _n, name in tests}
        rows = []
        failures: dict[str, Any] = {}
        conn = session.connection()
        for key in counts:
            for status, duration, finished, run_id, _id in conn.execute(recent, {"key": key}).all():
                rows.append(_Row(key, names[key][0], status, duration, finished, run_id, names[key][1]))
            hit = conn.execute(last_failure, {"key": key}).first()
            if hit is not None:
                failures[key] = hit
        quarantined = active_keys(session, project_id)
    per_test: dict[str, list[Any]] = {}
    for row in rows:
        per_test.setdefault(row.test_key, []).append(row)
    items = []
    for key, newest_first in per_test.items():
        recent = list(reversed(newest_first[:window]))  # oldest first
        statuses = [r.status for r in recent]
        durations = [r.duration_ms for r in recent if r.duration_ms is not None]
        history = [r.duration_ms for r in reversed(newest_first)]
        pr, fr = metrics.pass_rate(statuses), metrics.flip_rate(statuses)
        last_fail = failures.get(key)
        median, p95 = metrics.percentile(durations, 0.5), metrics.percentile(durations, 0.95)
        items.append({
            "test_id": key, "test_case_id": str(newest_first[0].test_case_id) if newest_first[0].test_case_id else None,
            "name": newest_first[0].test_name, "runs": int(counts.get(key, len(newest_first))),
            "pass_rate": round(pr, 4), "flip_rate": round(fr, 4),
            "flaky_on_retry_rate": round(metrics.flaky_on_retry_rate(statuses), 4),
            "health": round(metrics.health(pr, fr), 4),
            "median_ms": int(median) if median is not None else None, "p95_ms": int(p95) if p95 is not None else None,
            "sparkline": durations, "statuses": statuses,
            "slowing_down": metrics.slowing_down(history), "quarantined": key in quarantined,
            "last_failure": ({"at": _iso(last_fail[0]), "error": (last_fail[1] or "")[:500],
                              "run_id": str(last_fail[2])} if last_fail is not None else None),
        })
    if view == "flaky":
        items = [i for i in items if i["flip_rate"] > 0 or i["flaky_on_retry_rate"] > 0]
    elif view == "slowing":
        items = [i for i in items if i["slowing_down"]]
    sort = sort if sort in SORTS else "health"
    items.sort(key=lambda i: (i[sort] is None, i[sort] if i[sort] is not None else 0, i["name"]), reverse=False)
    if descending:
        items.reverse()
    return items
