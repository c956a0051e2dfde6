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
    test_case_id: Any


def _names(session: Any, keys: list[str]) -> dict[str, str]:
    """Display names: the test case's current name, else the name kept in the key."""
    from traceiq_app.models import TestCase

    out = {k: k.removeprefix("name:") for k in keys if k.startswith("name:")}
    ids = []
    for k in keys:
        if not k.startswith("name:"):
            try:
                ids.append(uuid.UUID(k))
            except ValueError:
                continue
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        out.update({str(i): n for i, n in session.execute(
            sa.select(col(TestCase.id), col(TestCase.name)).where(col(TestCase.id).in_(chunk))).all()})
    missing = [k for k in keys if k not in out]
    if missing:  # the test case row is gone: the name its results kept
        out.update(dict(session.execute(sa.select(col(ResultFact.test_key), sa.func.max(col(ResultFact.test_name)))
                                        .where(col(ResultFact.test_key).in_(missing))
                                        .group_by(col(ResultFact.test_key))).all()))
    return out


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
    tests_stmt = base(project_id, filters, col(ResultFact.test_key), sa.func.count()).group_by(col(ResultFact.test_key))
    if test_key is not None:
        tests_stmt = tests_stmt.where(col(ResultFact.test_key) == test_key)
    # Each test's last `depth` results: one index-only range of ix_result_facts_test_history per
    # test (a window function over the whole project sorted every fact on each request).
    recent = base(project_id, filters, col(ResultFact.status), col(ResultFact.duration_ms))\
        .where(col(ResultFact.test_key) == sa.bindparam("key"))\
        .order_by(col(ResultFact.finished_at).desc()).limit(depth)
    # The last failure of every test at once: a window over the failing results only.
    rn = sa.func.row_number().over(partition_by=col(ResultFact.test_key), order_by=col(ResultFact.finished_at).desc())
    failing = base(project_id, filters, col(ResultFact.test_key), col(ResultFact.finished_at), col(ResultFact.error),
                   col(ResultFact.run_id), rn.label("rn")).where(col(ResultFact.status).in_(metrics.FAILING))
    if test_key is not None:
        failing = failing.where(col(ResultFact.test_key) == test_key)
    failing_sub = failing.subquery()
    with session_scope() as session:
        conn = session.connection()
        counts = {key: int(n) for key, n in conn.execute(tests_stmt).all()}
        names = _names(session, list(counts))
        rows = []
        for key in counts:
            for status, duration in conn.execute(recent, {"key": key}).all():
                rows.append(_Row(key, names.get(key, key), status, duration,
                                 None if key.startswith("name:") else key))
        failures = {row[0]: row[1:4] for row in conn.execute(sa.select(failing_sub).where(failing_sub.c.rn == 1)).all()}
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
