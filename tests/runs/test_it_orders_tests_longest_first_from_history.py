"""Jobs run longest-first from each test's duration history, unknown durations first, and a
run's parallelism limit holds even with more workers than that."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import make_run, make_test_result
from tests.runs.conftest import quick_steps
from traceiq_app.models import RunStatus, TestResultStatus, utcnow
from traceiq_app.services.runs.control import start_run


def test_it_runs_unknown_then_longest_first_one_at_a_time(stack, site_url):
    project = stack.project(site_url)
    cases = {name: stack.test_case(project, name, quick_steps()) for name in ("short", "long", "medium", "new")}
    history = {"short": [100, 120, 90], "long": [5000, 4000, 6000], "medium": [2000, 2100]}
    with stack.session() as s:
        past = make_run(s, project, status=RunStatus.passed)
        for name, durations in history.items():
            for attempt, duration in enumerate(durations, start=1):
                make_test_result(s, past, cases[name], status=TestResultStatus.passed, attempt=attempt,
                                 duration_ms=duration, finished_at=utcnow() - timedelta(minutes=attempt))
        s.commit()
    stack.start_worker(wait=False)
    stack.start_worker(wait=False)
    for worker in stack.workers:
        stack.wait_worker_ready(worker)

    run = start_run(project.id, parallelism=1)
    done = stack.wait_run(run.id)
    assert done.status == RunStatus.passed and done.passed == 4

    results = sorted(stack.results(run.id), key=lambda r: r.started_at)
    assert [r.test_name for r in results] == ["new", "long", "medium", "short"]
    # parallelism=1: each test started after the previous one finished, though 2 workers were idle.
    for before, after in zip(results, results[1:], strict=False):
        assert before.finished_at <= after.started_at

