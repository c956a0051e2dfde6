"""Redis restarting mid-run (without persistence: queue, heartbeats and streams all gone)
loses no recorded result: the database is the truth, the worker reconnects, the reaper
re-enqueues the jobs Redis forgot, and the run finishes."""

from __future__ import annotations

from tests.runs.conftest import goto, quick_steps, wait_ms
from traceiq_app.models import RunStatus, StepStatus, TestResultStatus
from traceiq_app.services.runs.control import start_run


def test_it_finishes_the_run_after_redis_lost_everything(stack, site_url):
    project = stack.project(site_url)
    stack.test_case(project, "long", [goto("/index.html"), wait_ms(4_000), goto("/next.html")], position=0)
    for n in range(2):
        stack.test_case(project, f"quick {n}", quick_steps(), position=1 + n)
    worker = stack.start_worker()
    run = start_run(project.id)

    def long_step_recorded():
        long = next((r for r in stack.results(run.id) if r.test_name == "long"), None)
        return long if long and long.status == TestResultStatus.running and stack.steps(long.id) else None

    long = stack.wait_for(long_step_recorded, what="the long test's first step")
    stack.redis.stop()
    stack.redis.start()
    # Everything the run had in Redis is gone (the worker may already have written a fresh
    # heartbeat of its own, so look at the run's keys rather than at an empty database).
    assert not stack.redis.client().keys(f"*{run.id}*")

    done = stack.wait_run(run.id, timeout=60)
    assert done.status == RunStatus.passed and done.passed == 3
    steps = stack.steps(long.id)
    assert [s.status for s in steps] == [StepStatus.passed] * 3
    assert worker.alive()
