"""A run still open past its `timeout_s` ends *timed out*: the running test is stopped,
queued ones are dropped, and the worker carries on."""

from __future__ import annotations

from tests.runs.conftest import goto, quick_steps, wait_ms
from traceiq_app.models import RunStatus, TestResultStatus
from traceiq_app.services.runs.control import start_run


def test_it_ends_a_run_past_its_timeout_as_timed_out(stack, site_url):
    project = stack.project(site_url)
    stack.test_case(project, "stuck", [goto("/index.html"), wait_ms(30_000)], position=0)
    stack.test_case(project, "never", quick_steps(), position=1)
    worker = stack.start_worker()

    run = start_run(project.id, timeout_s=4, parallelism=1)
    done = stack.wait_run(run.id, timeout=20)

    assert done.status == RunStatus.timed_out
    assert 4 <= (done.finished_at - done.created_at).total_seconds() < 12
    stack.wait_for(lambda: all(r.status.is_final for r in stack.results(run.id)), timeout=5,
                   what="the stuck test to stop")
    results = {r.test_name: r for r in stack.results(run.id)}
    assert results["stuck"].status == TestResultStatus.cancelled and results["stuck"].error == "run timed out"
    assert results["never"].status == TestResultStatus.cancelled
    assert worker.alive()
