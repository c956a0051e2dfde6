"""The analytics detail pages' states, as a browser tab of a project member sees them (session
cookie, URL path and query): a test's history (timeline, step trend, clusters, quarantine), a
failure cluster with its occurrences, a run comparison; outsiders get nothing."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from sqlmodel import Session

from tests.accounts.matrix_support import session_cookie, state_for
from tests.analytics.history import Outcome
from tests.support.webapp import principal_of
from traceiq_app.db import get_engine
from traceiq_app.models import StepResult, StepStatus, utcnow
from traceiq_app.services.analytics import quarantine
from traceiq_app.services.analytics.clusters import clusters
from traceiq_app.state.analytics.dashboard import DashboardState
from traceiq_app.state.analytics.details import ClusterState, CompareState, TestHistoryState
from traceiq_app.state.defects.dashboard import DefectDashState


def test_it_loads_a_tests_history(history) -> None:  # type: ignore[no-untyped-def]
    p = history.p
    runs = [history.run({"Login": Outcome(s, 1000 + i * 100, error="Timeout 1000ms exceeded" if s == "failed"
                                          else None, step=("click", "#go") if s == "failed" else None)})
            for i, s in enumerate(["passed", "failed", "passed"])]
    case = history.case("Login")
    with Session(get_engine()) as s:  # steps of the last result: which step got slower
        from sqlmodel import select

        from traceiq_app.models import TestResult
        last = s.exec(select(TestResult).where(TestResult.run_id == runs[-1].id)).one()
        s.add(StepResult(test_result_id=last.id, step_index=1, action="goto", name="open", status=StepStatus.passed,
                         duration_ms=700))
        s.commit()
    quarantine.create(p.project.id, principal_of(p.bob), quarantine.QuarantineIn(
        str(case.id), "Login", "flaky login", None, utcnow() + timedelta(days=2)))
    state = state_for(TestHistoryState, session_cookie(p.bob.id), f"/projects/{p.project.id}/analytics/test?"
                      + urlencode({"key": str(case.id)}), {"key": str(case.id)})
    state.load()
    assert state.error == "" and state.name == "Login" and state.summary["runs"] == "3"
    assert [t["status"] for t in state.timeline] == ["passed", "failed", "passed"]
    assert [s["label"] for s in state.trend["steps"]] == ["1. click", "2. open"]
    assert state.trend["steps"][1]["durations"] == [None, None, 700]
    assert len(state.clusters) == 1 and state.quarantine[0]["reason"] == "flaky login"
    assert len(state.fig_timeline["data"]) == 1 and state.fig_timeline["data"][0]["type"] == "bar"
    charlie = state_for(TestHistoryState, session_cookie(p.charlie.id), f"/projects/{p.project.id}/analytics/test?"
                        + urlencode({"key": str(case.id)}), {"key": str(case.id)})
    charlie.load()
    assert charlie.error and charlie.timeline == [] and charlie.name == ""


def test_it_loads_a_cluster_and_a_comparison(history) -> None:  # type: ignore[no-untyped-def]
    p = history.p
    base = history.run({"A": "passed", "B": "failed"})
    run = history.run({"A": Outcome("failed", error="expected 'x' got 'y'"), "B": "passed"})
    sig = clusters(p.project.id)[0]["id"]
    state = state_for(ClusterState, session_cookie(p.bob.id), f"/projects/{p.project.id}/analytics/clusters/{sig}")
    state.load()
    assert state.error == "" and state.cluster["category"] == "assertion" and len(state.occurrences) == 1
    compare = state_for(CompareState, session_cookie(p.bob.id), f"/runs/{run.id}/compare")
    compare.load()
    counts = {s["key"]: s["count"] for s in compare.sections}
    assert compare.baseline_id == str(base.id) and counts["new_failures"] == 1 and counts["fixed"] == 1
    picked = state_for(CompareState, session_cookie(p.bob.id), f"/runs/{run.id}/compare?baseline=nonsense",
                      {"baseline": "nonsense"})
    picked.load()
    assert picked.error and picked.sections == []
    outsider = state_for(CompareState, session_cookie(p.charlie.id), f"/runs/{run.id}/compare")
    outsider.load()
    assert outsider.error and outsider.sections == []


def test_it_links_every_chart_to_the_runs_behind_it(history) -> None:  # type: ignore[no-untyped-def]
    p = history.p
    history.run({"A": "passed"}, branch="main")
    run = history.run({"A": "failed"}, branch="main")
    state = state_for(DashboardState, session_cookie(p.bob.id), f"/projects/{p.project.id}/analytics")
    list(state.load())  # yields the charts; the page asks for the tables once they are drawn
    state.load_tables()
    assert state.has_data and len(state.rows) == 1 and state.rows[0]["href"].endswith(
        "?" + urlencode({"key": str(history.case("A").id)}))
    day = state.series["x"][0]
    redirect = state.chart_click("pass_rate", [{"pointNumber": 0, "curveNumber": 0}])
    assert f"from={day}" in str(redirect) and f"/projects/{p.project.id}/runs" in str(redirect)
    redirect = state.chart_click("branch", [{"pointNumber": 0, "curveNumber": 1}])
    assert "branch=main" in str(redirect) and "status=failed" in str(redirect)
    state.apply_filters({"bucket": "run"})
    assert f"/runs/{run.id}" in str(state.chart_click("pass_rate", [{"pointNumber": 1, "curveNumber": 0}]))
    state.apply_filters({"since": "not a date"})
    assert state.project_name != ""  # a bad filter is a toast, not a broken page


def test_it_sends_the_charts_first_and_the_first_rows_of_a_long_health_table(history) -> None:  # type: ignore[no-untyped-def]
    p = history.p
    history.run({f"T{i:02}": "passed" for i in range(55)}, branch="main")
    state = state_for(DashboardState, session_cookie(p.bob.id), f"/projects/{p.project.id}/analytics")
    first = next(state.load())  # the charts' delta, with a script that calls back once they are drawn
    assert state.has_data and state.figs["pass_rate"]["data"] and not state.tables_loaded and state.rows == []
    assert "load_tables" in str(first) and "g.trace" in str(first)
    follow = state.load_tables()
    assert state.tables_loaded and len(state.rows) == 50 and state.more_rows
    assert follow == DefectDashState.load  # the defects section comes last
    assert state.load_tables() is None and len(state.rows) == 50  # asked twice: sent once
    state.show_all_rows()
    assert len(state.rows) == 55 and not state.more_rows
