"""The live run page's summary belongs to the run it shows: after "Rerun failed" the new, still
running run shows no duration (not the previous run's 14.0 s) and no old counts; a cancelled
run counts its cancelled and never-started tests ("3 cancelled" next to "1 passed, 1 failed" of 5)."""

from __future__ import annotations

from sqlmodel import Session

from tests.accounts import matrix_support as ms
from tests.factories import make_run, make_test_case, make_test_result
from traceiq_app.db import get_engine
from traceiq_app.models import RunStatus, TestResultStatus
from traceiq_app.services.runs import views as run_views
from traceiq_app.state.runs.run_live import RunLiveState


def _state(personas, run_id: str) -> RunLiveState:  # type: ignore[no-untyped-def]
    state = ms.state_for(RunLiveState, ms.session_cookie(personas.alice.id), f"/runs/{run_id}")
    state.load()
    return state


def test_it_drops_the_previous_runs_duration(personas) -> None:  # type: ignore[no-untyped-def]
    with Session(get_engine(), expire_on_commit=False) as s:
        case = make_test_case(s, personas.project, "Pay")
        done = make_run(s, personas.project, status=RunStatus.failed, total=1, failed=1, duration_ms=14_000)
        make_test_result(s, done, case, status=TestResultStatus.failed)
        rerun = make_run(s, personas.project, status=RunStatus.running, total=1)
        make_test_result(s, rerun, case, status=TestResultStatus.running)
        s.commit()
    state = _state(personas, str(done.id))
    assert state.duration == "14.0 s" and state.failed == 1
    state._forget_run(str(rerun.id))  # what "Rerun failed" does before redirecting
    assert (state.duration, state.failed) == ("", 0)
    detail = run_views.run_detail(rerun.id)
    assert detail is not None
    state.duration, state.failed = "14.0 s", 1  # even if something had left them
    state._snapshot(detail)  # what load() of the new run does
    assert (state.duration, state.failed, state.status) == ("", 0, "running")


def test_it_counts_cancelled_and_never_started_tests(personas) -> None:  # type: ignore[no-untyped-def]
    with Session(get_engine(), expire_on_commit=False) as s:
        cases = [make_test_case(s, personas.project, f"Test {i}") for i in range(5)]
        run = make_run(s, personas.project, status=RunStatus.cancelled, total=5, passed=1, failed=1)
        for case, status in zip(cases[:4], (TestResultStatus.passed, TestResultStatus.failed,
                                            TestResultStatus.cancelled, TestResultStatus.cancelled), strict=True):
            make_test_result(s, run, case, status=status)
        s.commit()
    state = _state(personas, str(run.id))
    assert (state.finished_tests, state.passed, state.failed) == (4, 1, 1)
    assert state.cancelled == 3  # two cancelled while queued/running, one never started
