"""Cancel from the UI/API: queued jobs leave the queue, the running test stops at once (the
step in flight, a 30 s wait, is aborted), the run ends *cancelled*, and the worker carries on.
How soon it stops (target < 2 s) is measured in bench/bench_cancel.py, not timed here: under a
loaded CI machine this process's own polling adds seconds."""

from __future__ import annotations

import time

from rq import Queue

from tests.runs.conftest import goto, quick_steps, wait_ms
from traceiq_app.models import RunStatus, StepStatus, TestResultStatus
from traceiq_app.services.runs import live_events
from traceiq_app.services.runs.control import cancel_run, start_run


def _step_running(run_id, test_name, index):
    tests = {e.data["test_result_id"]: e.data["name"] for e in live_events.read_events(run_id)
             if e.type == live_events.TEST_STARTED}
    return any(e.type == live_events.STEP_STARTED and e.data["index"] == index
               and tests.get(e.data["test_result_id"]) == test_name for e in live_events.read_events(run_id))


def test_it_cancels_queued_and_running_tests_quickly(stack, site_url):
    project = stack.project(site_url)
    stack.test_case(project, "slow", position=-1, steps=[goto("/index.html"), wait_ms(30_000), goto("/next.html")])  # first: lowest position
    for n in range(3):
        stack.test_case(project, f"quick {n}", quick_steps(), tags=["quick"])
    worker = stack.start_worker()

    run = start_run(project.id, parallelism=2)
    stack.wait_for(lambda: _step_running(run.id, "slow", 1), what="the slow step to start")

    started = time.monotonic()
    cancel_run(run.id)
    slow = next(r for r in stack.results(run.id) if r.test_name == "slow")
    stack.wait_for(lambda: stack.results(run.id) and all(r.status.is_final for r in stack.results(run.id)),
                   timeout=10, what="every test to end")  # the step in flight alone would take 30 s
    print(f"stopped {time.monotonic() - started:.2f} s after the cancel")

    done = stack.run(run.id)
    assert done.status == RunStatus.cancelled and done.finished_at is not None
    statuses = {r.test_name: r.status for r in stack.results(run.id)}
    assert statuses["slow"] == TestResultStatus.cancelled
    assert set(statuses.values()) == {TestResultStatus.cancelled}
    steps = stack.steps(slow.id)
    assert steps[0].status == StepStatus.passed  # recorded steps are kept
    assert all(step.status != StepStatus.passed for step in steps[1:])  # the wait was cut short
    assert Queue("traceiq", connection=stack.redis.client()).count == 0
    finished = [e for e in live_events.read_events(run.id) if e.type == live_events.RUN_FINISHED]
    assert len(finished) == 1 and finished[0].data["status"] == "cancelled"

    # The worker survived and takes the next run.
    assert worker.alive()
    again = stack.wait_run(start_run(project.id, selection={"tags": ["quick"]}).id, timeout=90)
    assert again.status == RunStatus.passed and again.passed == 3


def test_it_honours_rqs_stop_job_command_without_killing_the_worker(stack, site_url):
    from rq.command import send_stop_job_command

    project = stack.project(site_url)
    stack.test_case(project, "slow", [goto("/index.html"), wait_ms(30_000)])
    stack.test_case(project, "next", quick_steps(), position=1)
    worker = stack.start_worker()
    run = start_run(project.id, parallelism=1)
    stack.wait_for(lambda: _step_running(run.id, "slow", 1), what="the slow step to start")
    slow = next(r for r in stack.results(run.id) if r.test_name == "slow")

    started = time.monotonic()
    send_stop_job_command(stack.redis.client(), slow.rq_job_id)
    stack.wait_for(lambda: stack.results(run.id)[0].status.is_final, timeout=10, what="the slow test to stop")
    print(f"stopped {time.monotonic() - started:.2f} s after RQ's stop-job command")  # timed in bench_cancel.py
    done = stack.wait_run(run.id)
    statuses = {r.test_name: r.status for r in stack.results(run.id)}
    assert statuses == {"slow": TestResultStatus.cancelled, "next": TestResultStatus.passed}
    assert done.passed == 1 and done.skipped == 1
    assert worker.alive()
