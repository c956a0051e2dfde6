"""Runs list service (filters, keyset pagination) and run detail/rerun helpers, on SQLite and
Postgres; the list/dialog states refuse other orgs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from tests.factories import make_environment, make_run, make_suite, make_test_case, make_test_result
from traceiq_app.db import get_engine
from traceiq_app.models import (
    Artifact,
    ArtifactKind,
    RunStatus,
    RunTrigger,
    StepResult,
    StepStatus,
    TestResultStatus,
)
from traceiq_app.services.runs import views as run_views
from traceiq_app.services.runs.views import RunFilters

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _seed(personas, n: int = 60) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with Session(get_engine(), expire_on_commit=False) as s:
        env = make_environment(s, personas.project, name="staging")
        suite = make_suite(s, personas.project, name="Checkout")
        for i in range(n):
            make_run(
                s, personas.project, user=personas.alice if i % 2 == 0 else None,
                trigger=RunTrigger.ui if i % 2 == 0 else RunTrigger.api,
                status=RunStatus.failed if i % 3 == 0 else RunStatus.passed,
                environment=env if i % 4 == 0 else None,
                branch="main" if i % 5 == 0 else "feature",
                selection={"suite_ids": [str(suite.id)] if i % 6 == 0 else [], "test_ids": [], "tags": []},
                created_at=T0 + timedelta(minutes=i), total=3, passed=2, failed=1, duration_ms=1500 + i,
            )
        # Same timestamp for two runs: the id breaks the tie.
        make_run(s, personas.project, created_at=T0 + timedelta(minutes=10), status=RunStatus.passed)
        make_run(s, personas.globex_project, created_at=T0, status=RunStatus.failed)  # other org's
        s.commit()
        return {"env": str(env.id), "suite": str(suite.id)}


def test_keyset_pages_cover_every_run_once_in_order(personas_any) -> None:  # type: ignore[no-untyped-def]
    _seed(personas_any)
    pid = personas_any.project.id
    seen: list[str] = []
    cursor = ""
    pages = 0
    while True:
        page = run_views.list_runs(pid, RunFilters(), cursor, limit=7)
        seen += [r.id for r in page.rows]
        pages += 1
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(seen) == 61 == len(set(seen))
    assert pages == 9
    offset_ids = [r.id for p in range(9) for r in run_views.list_runs_offset(pid, None, p, limit=7)]
    assert seen == offset_ids  # same order as ORDER BY created_at DESC, id DESC


def test_filters(personas_any) -> None:  # type: ignore[no-untyped-def]
    ids = _seed(personas_any)
    pid = personas_any.project.id

    def count(**kw: str) -> int:
        return len(run_views.list_runs(pid, RunFilters(**kw), limit=200).rows)

    assert count(status="failed") == 20
    assert count(trigger="api") == 30
    assert count(branch="main") == 12
    assert count(environment_id=ids["env"]) == 15
    assert count(suite_id=ids["suite"]) == 10
    assert count(date_from="2026-11-01", date_to="2026-11-01") == 61
    assert count(date_from="2026-11-02") == 0
    assert count(status="failed", trigger="ui") == 10
    assert count(environment_id="not-a-uuid") == 0
    row = run_views.list_runs(pid, RunFilters(status="failed", trigger="ui"), limit=1).rows[0]
    assert row.who == "alice@acme.test" and row.failed == 1 and row.duration.endswith(" s")


def test_bad_cursor_is_refused(personas) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(run_views.BadCursor):
        run_views.list_runs(personas.project.id, RunFilters(), "garbage")


def test_detail_and_failed_tests_for_rerun(personas) -> None:  # type: ignore[no-untyped-def]
    with Session(get_engine(), expire_on_commit=False) as s:
        ok = make_test_case(s, personas.project, name="ok")
        bad = make_test_case(s, personas.project, name="bad")
        flaky = make_test_case(s, personas.project, name="flaky")
        run = make_run(s, personas.project, status=RunStatus.failed, total=3)
        make_test_result(s, run, ok, status=TestResultStatus.passed, duration_ms=10)
        r_bad = make_test_result(s, run, bad, status=TestResultStatus.failed, error="boom " * 1000)
        make_test_result(s, run, flaky, status=TestResultStatus.failed, attempt=1)
        make_test_result(s, run, flaky, status=TestResultStatus.flaky, attempt=2)
        art = Artifact(project_id=personas.project.id, run_id=run.id, test_result_id=r_bad.id,
                       kind=ArtifactKind.trace, storage_key=f"k/{uuid.uuid4()}.zip")
        s.add(art)
        s.add(StepResult(test_result_id=r_bad.id, step_index=0, action="goto", status=StepStatus.failed,
                         console_errors=["TypeError: x"], network_errors=["GET /a 500"], duration_ms=5))
        s.commit()
        run_id, bad_id, art_id = run.id, bad.id, art.id
    assert run_views.failed_test_ids(run_id) == [bad_id]
    detail = run_views.run_detail(run_id)
    assert detail is not None
    bad_row = next(t for t in detail["tests"] if t["name"] == "bad")
    assert bad_row["trace"] == str(art_id) and len(bad_row["error"]) < 2100
    assert bad_row["steps"][0]["console_errors"] == ["TypeError: x"]
    assert run_views.trace_viewer_url(art_id) == f"/trace-viewer/index.html?trace=/api/v1/artifacts/{art_id}"


def test_states_refuse_other_orgs_and_anonymous(personas) -> None:  # type: ignore[no-untyped-def]
    from tests.accounts import matrix_support as ms
    from traceiq_app.state.runs.run_dialog import RunDialogState
    from traceiq_app.state.runs.runs_list import RunsListState

    _seed(personas, n=3)
    charlie = ms.session_cookie(personas.charlie.id)
    state = ms.state_for(RunsListState, charlie, path=f"/projects/{personas.project.id}/runs")
    state.load()
    assert state.rows == [] and state.error
    state = ms.state_for(RunsListState, ms.session_cookie(personas.bob.id),
                         path=f"/projects/{personas.project.id}/runs")
    state.load()
    assert len(state.rows) == 4 and not state.error
    dialog = ms.state_for(RunDialogState, None)
    dialog.open_dialog(str(personas.project.id))
    assert not dialog.open and dialog.suites == []


def test_run_dialog_ticks_only_a_folder_of_its_project(personas) -> None:  # type: ignore[no-untyped-def]
    """"Run this folder" on the project page: the folder comes ticked; a folder id of another
    project (or garbage) ticks nothing; a plain "Run tests" ticks nothing."""
    from tests.accounts import matrix_support as ms
    from traceiq_app.state.runs.run_dialog import RunDialogState

    seeded = _seed(personas, n=1)
    with Session(get_engine(), expire_on_commit=False) as s:
        foreign = str(make_suite(s, personas.globex_project, name="Theirs").id)
        s.commit()
    dialog = ms.state_for(RunDialogState, ms.session_cookie(personas.bob.id))
    dialog.open_dialog(str(personas.project.id), seeded["suite"])
    assert dialog.open and dialog.preselected == seeded["suite"]
    for other in (foreign, "not-a-uuid", ""):
        dialog.open_dialog(str(personas.project.id), other)
        assert dialog.open and dialog.preselected == ""
    dialog.open_dialog(str(personas.project.id))
    assert dialog.preselected == ""


def test_trace_viewer_needs_sign_in_for_its_page_only(personas) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from tests.accounts import matrix_support as ms
    from traceiq_app.api.app import create_api

    origin = "http://testserver"
    with TestClient(create_api(), base_url=origin, follow_redirects=False) as client:
        page = client.get("/trace-viewer/index.html?trace=/api/v1/artifacts/x")
        assert page.status_code == 303
        assert page.headers["location"].startswith("/login?next=%2Ftrace-viewer%2Findex.html")
        sw = client.get("/trace-viewer/sw.bundle.js")
        assert sw.status_code == 200 and "javascript" in sw.headers["content-type"]
        assert client.get("/trace-viewer/../../../../etc/passwd").status_code == 404
        assert client.get("/trace-viewer/%2e%2e/%2e%2e/__init__.py").status_code == 404
        client.cookies.set("tiq_session", ms.session_cookie(personas.bob.id))
        page = client.get("/trace-viewer/index.html?trace=/api/v1/artifacts/x")
        assert page.status_code == 200 and "<html" in page.text.lower()


def test_live_state_replay_is_idempotent() -> None:
    from tests.accounts import matrix_support as ms
    from traceiq_app.services.runs.live_events import LiveEvent
    from traceiq_app.state.runs.run_live import RunLiveState

    tr = str(uuid.uuid4())
    events = [
        LiveEvent("1-0", "run.queued", {"total": 1, "tests": [{"test_result_id": tr, "name": "t", "browser": "chromium"}]}),
        LiveEvent("2-0", "run.started", {"status": "running"}),
        LiveEvent("3-0", "test.started", {"test_result_id": tr, "name": "t", "browser": "chromium", "attempt": 1,
                                          "total_steps": 2}),
        LiveEvent("4-0", "step.started", {"test_result_id": tr, "index": 0, "action": "goto"}),
        LiveEvent("5-0", "step.finished", {"test_result_id": tr, "index": 0, "action": "goto", "status": "passed",
                                           "duration_ms": 12}),
        LiveEvent("5-1", "step.finished", {"test_result_id": tr, "index": 1, "action": "click", "status": "failed",
                                           "duration_ms": 30, "error": "no element"}),
        LiveEvent("6-0", "artifact.ready", {"test_result_id": tr, "artifact_id": "a1", "kind": "failure_screenshot"}),
        LiveEvent("7-0", "test.finished", {"test_result_id": tr, "status": "failed", "error": "no element",
                                           "duration_ms": 50}),
        LiveEvent("8-0", "run.finished", {"status": "failed", "total": 1, "passed": 0, "failed": 1, "flaky": 0,
                                          "errors": 0, "duration_ms": 60}),
    ]
    state = ms.state_for(RunLiveState, None)
    state._apply(events[:5])
    state._apply(events[3:])  # overlapping batch (a second reader, or a re-read)
    state._apply(events)      # the whole replay again
    assert len(state.tests) == 1
    t = state.tests[0]
    assert [(s.index, s.status) for s in t.steps] == [(0, "passed"), (1, "failed")]
    assert t.status == "failed" and t.screenshot == "/api/v1/artifacts/a1" and t.steps[1].error == "no element"
    assert state.status == "failed" and state.failed == 1 and state.progress == 100
    assert state._steps_wanted == [tr]
