"""The series behind the dashboard's charts, from facts (and the runs table for run durations
and outcomes), with the dashboard's filters applied to every series."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from traceiq_app.db import session_scope
from traceiq_app.models import Environment, ResultFact, Run
from traceiq_app.services.analytics import metrics
from traceiq_app.services.analytics.filters import Filters, base

MAX_RUNS = 200
MOVING_AVERAGE = 7
BREAKDOWNS = ("environment", "browser", "branch")


def _day(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)[:10]


def _moving_average(values: list[float | None], n: int = MOVING_AVERAGE) -> list[float | None]:
    out: list[float | None] = []
    for i in range(len(values)):
        seen = [v for v in values[max(0, i - n + 1): i + 1] if v is not None]
        out.append(round(sum(seen) / len(seen), 4) if seen else None)
    return out


def _runs_stmt(project_id: uuid.UUID, filters: Filters) -> Any:
    """Runs that have facts matching the filters (so suite/tag filters apply to run series too)."""
    having = base(project_id, filters, col(ResultFact.run_id)).distinct()
    return (sa.select(col(Run.id), col(Run.status), col(Run.duration_ms), col(Run.finished_at), col(Run.created_at))
            .where(col(Run.project_id) == project_id, col(Run.id).in_(having)))


def trends(project_id: uuid.UUID, filters: Filters | None = None, bucket: str = "day") -> dict[str, Any]:
    filters = filters or Filters()
    if bucket == "run":
        return _by_run(project_id, filters)
    day = sa.func.date(col(ResultFact.finished_at))
    stmt = base(project_id, filters, day.label("day"), col(ResultFact.status), sa.func.count()).group_by(
        day, col(ResultFact.status))
    flaky_stmt = base(project_id, filters, day.label("day"), sa.func.count(sa.distinct(col(ResultFact.test_key))))\
        .where(col(ResultFact.status) == "flaky").group_by(day)
    with session_scope() as session:
        rows = session.execute(stmt).all()
        flaky_rows = session.execute(flaky_stmt).all()
        runs = session.execute(_runs_stmt(project_id, filters)).all()
        breakdowns = _breakdowns(session, project_id, filters)
    days: dict[str, dict[str, int]] = {}
    for d, status, n in rows:
        days.setdefault(_day(d), {})[status] = int(n)
    run_days: dict[str, dict[str, Any]] = {}
    for _rid, status, duration, finished, created in runs:
        entry = run_days.setdefault(_day(finished or created), {"durations": [], "outcomes": {}})
        if duration is not None:
            entry["durations"].append(duration)
        entry["outcomes"][str(status)] = entry["outcomes"].get(str(status), 0) + 1
    flaky = {_day(d): int(n) for d, n in flaky_rows}
    keys = sorted(set(days) | set(run_days))
    rates: list[float | None] = []
    for k in keys:
        c = days.get(k, {})
        counted = sum(c.get(s, 0) for s in metrics.COUNTED)
        rates.append(round(sum(c.get(s, 0) for s in metrics.PASSING) / counted, 4) if counted else None)
    outcomes = sorted({o for e in run_days.values() for o in e["outcomes"]})
    return {
        "bucket": "day", "x": keys, "pass_rate": rates, "pass_rate_avg": _moving_average(rates),
        "results": {s: [days.get(k, {}).get(s, 0) for k in keys] for s in ("passed", "flaky", "failed", "error")},
        "duration_p50": [metrics.percentile(run_days.get(k, {}).get("durations", []), 0.5) for k in keys],
        "duration_p95": [metrics.percentile(run_days.get(k, {}).get("durations", []), 0.95) for k in keys],
        "runs": {o: [run_days.get(k, {}).get("outcomes", {}).get(o, 0) for k in keys] for o in outcomes},
        "flaky_tests": [flaky.get(k, 0) for k in keys],
        "breakdowns": breakdowns,
    }


def _by_run(project_id: uuid.UUID, filters: Filters) -> dict[str, Any]:
    stmt = base(project_id, filters, col(ResultFact.run_id), col(ResultFact.status), sa.func.count()).group_by(
        col(ResultFact.run_id), col(ResultFact.status))
    with session_scope() as session:
        runs = session.execute(_runs_stmt(project_id, filters).order_by(col(Run.created_at).desc())
                               .limit(MAX_RUNS)).all()
        wanted = [r[0] for r in runs]
        rows = session.execute(stmt.where(col(ResultFact.run_id).in_(wanted))).all() if wanted else []
        breakdowns = _breakdowns(session, project_id, filters)
    per: dict[uuid.UUID, dict[str, int]] = {}
    for rid, status, n in rows:
        per.setdefault(rid, {})[status] = int(n)
    runs = list(reversed(runs))
    rates: list[float | None] = []
    for r in runs:
        c = per.get(r[0], {})
        counted = sum(c.get(s, 0) for s in metrics.COUNTED)
        rates.append(round(sum(c.get(s, 0) for s in metrics.PASSING) / counted, 4) if counted else None)
    return {
        "bucket": "run", "x": [str(r[0]) for r in runs],
        "started": [(r[3] or r[4]).isoformat() for r in runs], "status": [str(r[1]) for r in runs],
        "pass_rate": rates, "pass_rate_avg": _moving_average(rates),
        "duration_ms": [r[2] for r in runs],
        "results": {s: [per.get(r[0], {}).get(s, 0) for r in runs] for s in ("passed", "flaky", "failed", "error")},
        "flaky_tests": [per.get(r[0], {}).get("flaky", 0) for r in runs],
        "breakdowns": breakdowns,
    }


def _breakdowns(session: Any, project_id: uuid.UUID, filters: Filters) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    env_names = {e.id: e.name for e in session.execute(
        sa.select(col(Environment.id), col(Environment.name)).where(col(Environment.project_id) == project_id)).all()}
    columns = {"environment": col(ResultFact.environment_id), "browser": col(ResultFact.browser),
               "branch": col(ResultFact.branch)}
    for name, column in columns.items():
        rows = session.execute(base(project_id, filters, column, col(ResultFact.status), sa.func.count())
                               .group_by(column, col(ResultFact.status))).all()
        table: dict[str, dict[str, int]] = {}
        values: dict[str, str] = {}
        for value, status, n in rows:
            label = (env_names.get(value, str(value)) if name == "environment" else str(value)) if value else "(none)"
            values[label] = str(value) if value else ""
            table.setdefault(label, {})[status] = int(n)
        labels = sorted(table)
        out[name] = {"labels": labels, "values": [values[lbl] for lbl in labels],
                     "passed": [table[lbl].get("passed", 0) + table[lbl].get("flaky", 0) for lbl in labels],
                     "failed": [table[lbl].get("failed", 0) + table[lbl].get("error", 0) for lbl in labels]}
    return out
