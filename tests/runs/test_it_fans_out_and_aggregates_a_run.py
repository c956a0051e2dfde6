"""A run fans out into one job per test x browser across real workers; the run row aggregates
results as they land and closes when the last one does; every step is stored."""

from __future__ import annotations

from tests.runs.conftest import goto, quick_steps, title_is, wait_ms
from traceiq_app.models import RunStatus, StepStatus, TestResultStatus
from traceiq_app.services.runs import live_events
from traceiq_app.services.runs.control import start_run


def test_it_fans_out_one_job_per_test_and_aggregates(stack, site_url):
    project = stack.project(site_url)
    passing = [stack.test_case(project, f"passes {n}", [*quick_steps(), wait_ms(300)]) for n in range(3)]
    stack.test_case(project, "fails", [goto("/index.html"), title_is("Wrong title"), goto("/next.html")])
    stack.start_worker(wait=False)
    stack.start_worker(wait=False)
    for worker in stack.workers:
        stack.wait_worker_ready(worker)

    run = start_run(project.id)
    assert run.total == 4 and run.status == RunStatus.queued

    done = stack.wait_run(run.id, timeout=60)
    assert done.status == RunStatus.failed
    assert (done.total, done.passed, done.failed, done.flaky, done.errors) == (4, 3, 1, 0, 0)
    assert done.started_at and done.finished_at and done.duration_ms is not None

    results = stack.results(run.id)
    assert len(results) == 4
    by_name = {r.test_name: r for r in results}
    assert {by_name[c.name].status for c in passing} == {TestResultStatus.passed}
    assert by_name["fails"].status == TestResultStatus.failed
    assert by_name["fails"].failed_step == 1 and "Wrong title" in (by_name["fails"].error or "")
    # Both workers took part.
    assert len({r.worker_id for r in results}) == 2, stack.logs()

    steps = stack.steps(by_name["fails"].id)
    assert [s.status for s in steps] == [StepStatus.passed, StepStatus.failed, StepStatus.skipped]
    assert all(len(stack.steps(by_name[c.name].id)) == 3 for c in passing)

    events = live_events.read_events(run.id, "0")
    types = [e.type for e in events]
    assert types[0] == live_events.RUN_QUEUED and types[-1] == live_events.RUN_FINISHED
    assert types.count(live_events.TEST_STARTED) == 4 and types.count(live_events.TEST_FINISHED) == 4
    assert types.count(live_events.STEP_FINISHED) == 12
    assert events[-1].data["status"] == "failed" and events[-1].data["passed"] == 3
    failed_step = next(e for e in events if e.type == live_events.STEP_FINISHED and e.data["status"] == "failed")
    assert "Wrong title" in failed_step.data["error"] and failed_step.data["duration_ms"] >= 0
    # Replay from any id; the stream expires after the run ended.
    assert [e.id for e in live_events.read_events(run.id, events[4].id)] == [e.id for e in events[5:]]
    assert 0 < stack.redis.client().ttl(live_events.stream_key(run.id)) <= 24 * 3600
