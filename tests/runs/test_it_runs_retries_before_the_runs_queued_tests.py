"""A failed attempt's retry goes ahead of the run's tests that have not started yet, so the
run's tail is not stretched by a retry waiting at the back of the queue."""

from __future__ import annotations

import uuid

from tests.runs.conftest import goto, quick_steps, title_is
from traceiq_app.models import RunStatus, TestResultStatus
from traceiq_app.services.runs.control import start_run


def test_it_runs_the_retry_next(stack, site_url):
    project = stack.project(site_url)
    # Fails the first time it is asked for, passes after: a retry makes it flaky.
    stack.test_case(project, "flaky", [goto(f"/flaky/{uuid.uuid4().hex}"), title_is("Flaky ok")], position=0)
    for n in range(6):
        stack.test_case(project, f"quick {n}", quick_steps(), position=1 + n)
    stack.start_worker()  # one worker: the order of the queue is the order of execution
    run = start_run(project.id, retries=1)
    done = stack.wait_run(run.id, timeout=120)
    assert done.status == RunStatus.passed and done.flaky == 1

    by_start = sorted(stack.results(run.id), key=lambda r: r.started_at)
    order = [(r.test_name, r.attempt) for r in by_start]
    assert order[0] == ("flaky", 1)
    retry_at = order.index(("flaky", 2))
    # The retry started right after the failed attempt (at most one test the worker had already
    # taken in between), not after the 6 quick tests that were queued before it.
    assert retry_at <= 2, order
    assert by_start[retry_at].status == TestResultStatus.flaky
