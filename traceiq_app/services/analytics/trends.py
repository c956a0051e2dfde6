"""The series behind the dashboard's charts, from facts (and the runs table for run durations
and outcomes), with the dashboard's filters applied to every series."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from traceiq_app.db import session_scope
from traceiq_app.models import Environment, ResultDaily, ResultFact, Run
from traceiq_app.services.analytics import daily, metrics
from traceiq_app.services.analytics.filters import Filters, base

MAX_RUNS = 200
MOVING_AVERAGE = 7
PERCENTILES = (0.5, 0.95)  # run duration p50 / p95, as metrics.percentile computes them
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


def _runs_stmt(project_id: uuid.UUID, filters: Filters, *columns: Any) -> Any:
    """Runs behind the series: branch/environment/date filters apply to the runs themselves; a
    suite or tag filter keeps the runs that have a matching fact. Default columns: id, status,
    duration, finished and created at (the per-day series asks for fewer: index-only then)."""
    columns = columns or (col(Run.id), col(Run.status), col(Run.duration_ms), col(Run.finished_at),
                          col(Run.created_at))
    stmt = sa.select(*columns).where(col(Run.project_id) == project_id, col(Run.finished_at).is_not(None))
    if filters.since is not None:
        stmt = stmt.where(col(Run.finished_at) >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(col(Run.finished_at) < filters.until)
    if filters.branch:
        stmt = stmt.where(col(Run.branch) == filters.branch)
    if filters.environment_id is not None:
        stmt = stmt.where(col(Run.environment_id) == filters.environment_id)
    if filters.suite_ids is not None or filters.tag:
        stmt = stmt.where(col(Run.id).in_(base(project_id, filters, col(ResultFact.run_id)).distinct()))
    return stmt


def _rollup_fits(filters: Filters) -> bool:
    """`result_daily` answers (a tag filter reads its per-tag rows) unless the range does not
    start/end at midnight."""
    def midnight(value: datetime | None) -> bool:
        return value is None or value.astimezone(UTC).time() == time(0)

    return midnight(filters.since) and midnight(filters.until)


def _daily_rows(session: Any, project_id: uuid.UUID, filters: Filters) -> list[Any]:
    t = ResultDaily
    dims = (col(t.day), col(t.status), col(t.branch), col(t.environment_id), col(t.browser))
    stmt = sa.select(*dims, sa.func.sum(col(t.n))).where(col(t.project_id) == project_id,
                                                          col(t.tag) == (filters.tag or "")[:100]).group_by(*dims)
    if filters.since is not None:
        stmt = stmt.where(col(t.day) >= daily.day_of(filters.since))
    if filters.until is not None:
        stmt = stmt.where(col(t.day) < daily.day_of(filters.until))
    if filters.suite_ids is not None:
        stmt = stmt.where(col(t.suite_id).in_([str(s) for s in filters.suite_ids]))
    if filters.branch:
        stmt = stmt.where(col(t.branch) == filters.branch)
    if filters.environment_id is not None:
        stmt = stmt.where(col(t.environment_id) == str(filters.environment_id))
    return list(session.execute(stmt).all())


def _fact_rows(session: Any, project_id: uuid.UUID, filters: Filters) -> list[Any]:
    """The same groups from the facts (an index-only scan of `ix_result_facts_series`)."""
    day = sa.func.date(col(ResultFact.finished_at))
    dims = (col(ResultFact.status), col(ResultFact.branch), col(ResultFact.environment_id), col(ResultFact.browser))
    return list(session.execute(base(project_id, filters, day.label("day"), *dims, sa.func.count())
                                .group_by(day, *dims)).all())


def _run_days(session: Any, project_id: uuid.UUID, filters: Filters) -> dict[str, dict[str, Any]]:
    """Per UTC day of the (filtered) runs: outcomes and duration p50/p95, aggregated in SQL (a
    window over the day's durations keeps only the ranks the percentiles interpolate between),
    so a few hundred rows come back instead of every run."""
    day = sa.func.date(col(Run.finished_at))
    status = sa.type_coerce(col(Run.status), sa.String)
    out: dict[str, dict[str, Any]] = {}
    for d, st, n in session.execute(_runs_stmt(project_id, filters, day, status, sa.func.count())
                                    .group_by(day, status)).all():
        out.setdefault(_day(d), {"outcomes": {}})["outcomes"][str(st)] = int(n)
    ranked = _runs_stmt(project_id, filters, day.label("day"), col(Run.duration_ms).label("ms"),
                        (sa.func.row_number().over(partition_by=day, order_by=col(Run.duration_ms)) - 1).label("rn"),
                        sa.func.count().over(partition_by=day).label("cnt"))\
        .where(col(Run.duration_ms).is_not(None)).subquery()
    postgres = session.get_bind().dialect.name == "postgresql"
    wanted = []
    for q in PERCENTILES:
        lo = sa.func.floor((ranked.c.cnt - 1) * q) if postgres else sa.cast((ranked.c.cnt - 1) * q, sa.Integer)
        wanted += [ranked.c.rn == lo, ranked.c.rn == lo + 1]
    ranks: dict[str, dict[int, int]] = {}
    cnts: dict[str, int] = {}
    for d, ms, rn, cnt in session.execute(sa.select(ranked.c.day, ranked.c.ms, ranked.c.rn, ranked.c.cnt)
                                          .where(sa.or_(*wanted))).all():
        ranks.setdefault(_day(d), {})[int(rn)] = int(ms)
        cnts[_day(d)] = int(cnt)
    for d, by_rank in ranks.items():
        entry = out.setdefault(d, {"outcomes": {}})
        for q in PERCENTILES:
            pos = (cnts[d] - 1) * q
            below, above = math.floor(pos), math.ceil(pos)
            entry[f"p{round(q * 100)}"] = float(by_rank[below] + (by_rank[above] - by_rank[below]) * (pos - below))
    return out


def trends(project_id: uuid.UUID, filters: Filters | None = None, bucket: str = "day", *,
           use_rollup: bool = True) -> dict[str, Any]:
    """Per day: the daily rollup (`result_daily`, a few rows per day) gives the results and every
    breakdown; flaky tests per day (index on status) and the runs come from two more queries.
    A range not on day boundaries reads the facts instead."""
    filters = filters or Filters()
    if bucket == "run":
        return _by_run(project_id, filters)
    flaky_stmt = base(project_id, filters, col(ResultFact.finished_at), col(ResultFact.test_key))\
        .where(col(ResultFact.status) == "flaky")
    with session_scope() as session:
        rows = _daily_rows(session, project_id, filters) if use_rollup and _rollup_fits(filters) \
            else _fact_rows(session, project_id, filters)
        flaky_seen: dict[str, set[str]] = {}
        for finished, key in session.execute(flaky_stmt).all():
            flaky_seen.setdefault(daily.day_of(finished), set()).add(key)
        run_days = _run_days(session, project_id, filters)
        env_names = _env_names(session, project_id)
    days: dict[str, dict[str, int]] = {}
    groups: list[tuple[str, str | None, Any, str, int]] = []
    for d, status, branch, env, browser, n in rows:
        key = _day(d)
        days.setdefault(key, {})
        days[key][status] = days[key].get(status, 0) + int(n)
        groups.append((status, branch or None, str(env) if env else None, browser, int(n)))
    flaky = {d: len(keys) for d, keys in flaky_seen.items()}
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
        "duration_p50": [run_days.get(k, {}).get("p50") for k in keys],
        "duration_p95": [run_days.get(k, {}).get("p95") for k in keys],
        "runs": {o: [run_days.get(k, {}).get("outcomes", {}).get(o, 0) for k in keys] for o in outcomes},
        "flaky_tests": [flaky.get(k, 0) for k in keys],
        "breakdowns": _breakdowns_from(groups, env_names),
    }


def _by_run(project_id: uuid.UUID, filters: Filters) -> dict[str, Any]:
    stmt = base(project_id, filters, col(ResultFact.run_id), col(ResultFact.status), sa.func.count()).group_by(
        col(ResultFact.run_id), col(ResultFact.status))
    with session_scope() as session:
        runs = session.execute(_runs_stmt(project_id, filters).order_by(col(Run.created_at).desc())
                               .limit(MAX_RUNS)).all()
        wanted = [r[0] for r in runs]
        rows = session.execute(stmt.where(col(ResultFact.run_id).in_(wanted))).all() if wanted else []
        groups = _daily_rows(session, project_id, filters) if _rollup_fits(filters) \
            else _fact_rows(session, project_id, filters)
        breakdowns = _breakdowns_from([(st, b or None, str(e) if e else None, br, int(n))
                                       for _d, st, b, e, br, n in groups], _env_names(session, project_id))
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


def _env_names(session: Any, project_id: uuid.UUID) -> dict[Any, str]:
    return {str(e): n for e, n in session.execute(sa.select(col(Environment.id), col(Environment.name))
                                             .where(col(Environment.project_id) == project_id)).all()}


def _breakdowns_from(groups: list[tuple[str, str | None, Any, str, int]], env_names: dict[Any, str]
                     ) -> dict[str, dict[str, Any]]:
    """Passed (incl. flaky) / failed (incl. errors) results per environment, browser and branch."""
    out: dict[str, dict[str, Any]] = {}
    for name, position in (("environment", 2), ("browser", 3), ("branch", 1)):
        table: dict[str, dict[str, int]] = {}
        values: dict[str, str] = {}
        for group in groups:
            status, value, n = group[0], group[position], group[4]
            label = (env_names.get(value, str(value)) if name == "environment" else str(value)) if value else "(none)"
            values[label] = str(value) if value else ""
            table.setdefault(label, {})
            table[label][status] = table[label].get(status, 0) + n
        labels = sorted(table)
        out[name] = {"labels": labels, "values": [values[lbl] for lbl in labels],
                     "passed": [table[lbl].get("passed", 0) + table[lbl].get("flaky", 0) for lbl in labels],
                     "failed": [table[lbl].get("failed", 0) + table[lbl].get("error", 0) for lbl in labels]}
    return out
