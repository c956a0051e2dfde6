"""Permission-matrix entries for analytics (routes and, later, the dashboard states), in the
format of tests/accounts/permission_matrix.py, which merges them. Viewers read analytics; only
editors and above quarantine; only admins change the flakiness settings."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, select

from tests.accounts.permission_matrix import (
    _PUBLIC_SETVAR,
    ADMINS,
    EDITORS,
    EVERYONE,
    MEMBERS,
    PATH_VALUES,
    H,
    MatrixContext,
    R,
)
from traceiq_app.db import get_engine
from traceiq_app.models import Run, RunStatus, RunTrigger, TestCase, TestResult, TestResultStatus, utcnow


def _failed_run(ctx: MatrixContext) -> tuple[str, str]:
    """A finished Acme run with one failure and its analytics facts: (run id, cluster id)."""
    from traceiq_app.services.analytics import facts

    with Session(get_engine(), expire_on_commit=False) as s:
        case = TestCase(project_id=ctx.project_id, name=f"Matrix analytics {uuid.uuid4().hex[:6]}",
                        steps=[{"action": "goto", "url": "/"}])
        s.add(case)
        s.flush()
        now = utcnow()
        run = Run(project_id=ctx.project_id, trigger=RunTrigger.ui, status=RunStatus.failed, total=1, failed=1,
                  started_at=now, finished_at=now)
        s.add(run)
        s.flush()
        s.add(TestResult(run_id=run.id, test_case_id=case.id, test_name=case.name, status=TestResultStatus.failed,
                         error="Timeout 5000ms exceeded", started_at=now, finished_at=now, duration_ms=10))
        s.flush()
        written = facts.record_run(s, run)
        s.commit()
        return str(run.id), str(written[0].signature)


PATH_VALUES["cluster_id"] = lambda c: _failed_run(c)[1]

ANALYTICS_ROUTES: dict[tuple[str, str], R] = {
    ("GET", "/api/v1/projects/{project}/analytics/health"): R(MEMBERS, query={"window": "10"}),
    ("GET", "/api/v1/projects/{project}/analytics/clusters"): R(MEMBERS),
    ("GET", "/api/v1/projects/{project}/analytics/clusters/{cluster_id}"): R(MEMBERS),
    ("GET", "/api/v1/projects/{project}/analytics/trends"): R(MEMBERS, query={"bucket": "day"}),
    ("GET", "/api/v1/projects/{project}/analytics/settings"): R(MEMBERS),
    ("PUT", "/api/v1/projects/{project}/analytics/settings"): R(ADMINS, json={
        "flaky_enter": 0.4, "flaky_exit": 0.1, "auto_quarantine": False, "quarantine_days": 7}),
    ("GET", "/api/v1/projects/{project}/quarantine"): R(MEMBERS),
    ("POST", "/api/v1/projects/{project}/quarantine"): R(EDITORS, json={"test": "{test_id}", "reason": "matrix",
                                                                       "days": 3}),
    ("DELETE", "/api/v1/projects/{project}/quarantine"): R(EDITORS, query={"test": "{test_id}"}),
    ("GET", "/api/v1/runs/{run_id}/compare"): R(MEMBERS),
    ("GET", "/api/v1/runs/{run_id}/report.html"): R(MEMBERS),
    ("GET", "/api/v1/runs/{run_id}/report.pdf"): R(MEMBERS, note="renders with a real Chromium"),
    ("GET", "/api/v1/runs/{run_id}/results.csv"): R(MEMBERS),
    ("GET", "/api/v1/runs/{run_id}/results.xlsx"): R(MEMBERS),
    ("GET", "/api/v1/projects/{project}/analytics/health.csv"): R(MEMBERS),
    ("GET", "/api/v1/projects/{project}/analytics/summary.html"): R(MEMBERS),
    ("GET", "/api/v1/projects/{project}/analytics/summary.pdf"): R(MEMBERS, note="renders with a real Chromium"),
}

def _on_project(state: Any, ctx: MatrixContext) -> Any:
    state.pid = str(ctx.project_id)
    return state


def _with_data(state: Any, ctx: MatrixContext) -> Any:
    _failed_run(ctx)
    return _on_project(state, ctx)


def _quarantine(state: Any, ctx: MatrixContext) -> Any:
    run_id, _sig = _failed_run(ctx)
    with Session(get_engine()) as s:
        result = s.exec(select(TestResult).where(TestResult.run_id == uuid.UUID(run_id))).one()
    _on_project(state, ctx).q_test = str(result.test_case_id)
    return state.quarantine({"reason": "matrix", "days": "3"})


def _chart_click(state: Any, ctx: MatrixContext) -> Any:
    _with_data(state, ctx).series = {"bucket": "day", "x": ["2026-11-27"], "runs": {"failed": [1]}}
    return state.chart_click("outcomes", [{"pointNumber": 0, "curveNumber": 0}])


def _test_key(ctx: MatrixContext) -> str:
    run_id, _sig = _failed_run(ctx)
    with Session(get_engine()) as s:
        return str(s.exec(select(TestResult).where(TestResult.run_id == uuid.UUID(run_id))).one().test_case_id)


def _history(state: Any, ctx: MatrixContext) -> Any:
    _on_project(state, ctx).key = _test_key(ctx)
    return state.load()


def _open_result(state: Any, ctx: MatrixContext) -> Any:
    _on_project(state, ctx).timeline = [{"run_id": _failed_run(ctx)[0]}]
    return state.open_result([{"pointNumber": 0}])


def _cluster(state: Any, ctx: MatrixContext) -> Any:
    _on_project(state, ctx).cluster_id = _failed_run(ctx)[1]
    return state.load()


def _compare(state: Any, ctx: MatrixContext) -> Any:
    state.run_id = _failed_run(ctx)[0]
    return state.load()


ANALYTICS_HANDLERS: dict[str, H] = {
    "TestHistoryState.load": H(MEMBERS, _history),
    "TestHistoryState.open_result": H(MEMBERS, _open_result),
    "TestHistoryState.setvar": _PUBLIC_SETVAR,
    "ClusterState.load": H(MEMBERS, _cluster),
    "ClusterState.setvar": _PUBLIC_SETVAR,
    "CompareState.load": H(MEMBERS, _compare),
    "CompareState.setvar": _PUBLIC_SETVAR,
    "DashboardState.load": H(MEMBERS, lambda s, c: _with_data(s, c).load(),
                             note="the project id comes from the URL; the state keeps the last one"),
    "DashboardState.load_tables": H(MEMBERS, lambda s, c: _with_data(s, c).load_tables(),
                                    note="asked for by the page once the charts are drawn"),
    "DashboardState.apply_filters": H(MEMBERS, lambda s, c: _with_data(s, c).apply_filters({"bucket": "run"})),
    "DashboardState.clear_filters": H(MEMBERS, lambda s, c: _with_data(s, c).clear_filters()),
    "DashboardState.set_view": H(MEMBERS, lambda s, c: _with_data(s, c).set_view("flaky")),
    "DashboardState.sort_health": H(MEMBERS, lambda s, c: _with_data(s, c).sort_health("name")),
    "DashboardState.show_all_rows": H(MEMBERS, lambda s, c: _with_data(s, c).show_all_rows()),
    "DashboardState.chart_click": H(MEMBERS, _chart_click),
    "DashboardState.open_quarantine": H(EDITORS, lambda s, c: _on_project(s, c).open_quarantine("x", "x")),
    "DashboardState.close_quarantine": H(EVERYONE, None, public=True, note="closes this tab's dialog; no data"),
    "DashboardState.quarantine": H(EDITORS, _quarantine),
    "DashboardState.lift": H(EDITORS, lambda s, c: _on_project(s, c).lift("x")),
    "DashboardState.setvar": _PUBLIC_SETVAR,
}

