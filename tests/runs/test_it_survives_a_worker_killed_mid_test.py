"""A worker SIGKILLed mid-test (with its browser): the heartbeat stops, the reaper in another
worker marks the attempt *error* "worker lost" (recorded steps kept) and, with retries left,
runs it again elsewhere; the run still finishes, well within 60 s."""

from __future__ import annotations

import time

from tests.runs.conftest import goto, quick_steps, wait_ms
from traceiq_app.models import RunStatus, StepStatus, TestResultStatus
from traceiq_app.services.runs import live_events
from traceiq_app.services.runs.control import start_run


def test_it_reaps_the_lost_test_and_retries_it_on_another_worker(stack, site_url):
    project = stack.project(site_url)
    stack.test_case(project, "victim", [goto("/index.html"), wait_ms(6_000), goto("/next.html")])
    stack.test_case(project, "bystander", quick_steps(), position=1)
    stack.start_worker(wait=False)
    stack.start_worker(wait=False)
    for worker in stack.workers:
        stack.wait_worker_ready(worker)

    run = start_run(project.id, retries=1)

    def victim_in_wait():
        events = live_events.read_events(run.id)
        victim = next((e.data["test_result_id"] for e in events
                       if e.type == live_events.TEST_STARTED and e.data["name"] == "victim"), None)
        return victim if any(e.type == live_events.STEP_STARTED and e.data["test_result_id"] == victim
                             and e.data["index"] == 1 for e in events) else None

    stack.wait_for(victim_in_wait, what="the victim's long step")
    first = next(r for r in stack.results(run.id) if r.test_name == "victim")
    doomed = next(w for w in stack.workers if w.name == first.worker_id)
    survivor = next(w for w in stack.workers if w is not doomed)
    killed_at = time.monotonic()
    doomed.kill_tree()

    done = stack.wait_run(run.id, timeout=60)
    assert time.monotonic() - killed_at < 60
    attempts = {(r.test_name, r.attempt): r for r in stack.results(run.id)}
    lost = attempts[("victim", 1)]
    assert lost.status == TestResultStatus.error and "worker lost" in (lost.error or "")
    assert [s.status for s in stack.steps(lost.id)][:1] == [StepStatus.passed]  # kept
    retried = attempts[("victim", 2)]
    assert retried.worker_id == survivor.name
    assert retried.status == TestResultStatus.flaky, (retried.error, stack.logs())  # error, then passed
    assert done.status == RunStatus.passed and done.flaky == 1 and done.passed == 1
    assert survivor.alive()


def test_it_marks_the_lost_test_error_without_retries(stack, site_url):
    project = stack.project(site_url)
    stack.test_case(project, "victim", [goto("/index.html"), wait_ms(6_000)])
    worker = stack.start_worker()
    run = start_run(project.id)
    stack.wait_for(lambda: any(r.status == TestResultStatus.running for r in stack.results(run.id)),
                   what="the test to start")
    time.sleep(0.5)
    worker.kill_tree()
    # No worker left: the next worker's reaper cleans up when it starts.
    stack.start_worker()
    done = stack.wait_run(run.id, timeout=60)
    assert done.status == RunStatus.error and done.errors == 1
    assert "worker lost" in (stack.results(run.id)[0].error or "")
