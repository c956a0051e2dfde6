"""Cancelling a run with tests running on two workers: `run.finished` carries the final totals
(every test counted, the running ones as cancelled) and stays the last run-level event — the
workers that stop afterwards publish no `run.progress` behind it."""

from __future__ import annotations

import time

from tests.runs.conftest import goto, wait_ms
from traceiq_app.models import RunStatus, TestResultStatus
from traceiq_app.services.runs import live_events
from traceiq_app.services.runs.control import cancel_run, start_run


def test_it_sends_final_totals_last(stack, site_url):
    project = stack.project(site_url)
    for n in range(10):
        stack.test_case(project, f"slow {n}", [goto("/index.html"), wait_ms(30_000)], position=n)
    stack.start_worker(wait=False)
    stack.start_worker(wait=False)
    for worker in stack.workers:
        stack.wait_worker_ready(worker)
    run = start_run(project.id)
    stack.wait_for(lambda: sum(r.status == TestResultStatus.running for r in stack.results(run.id)) == 2,
                   timeout=60, what="two tests running")
    stack.wait_for(lambda: sum(e.type == live_events.STEP_STARTED and e.data["index"] == 1
                               for e in live_events.read_events(run.id)) == 2, timeout=60, what="both waits")
    cancel_run(run.id)
    # The workers stop their tests within a fraction of a second; give stragglers time to publish.
    stack.wait_for(lambda: all(not stack.redis.client().exists(f"traceiq:test:{r.id}:heartbeat")
                               for r in stack.results(run.id)), timeout=10, what="the workers to stop")
    time.sleep(2)

    run_level = [e for e in live_events.read_events(run.id) if e.type.startswith("run.")]
    assert run_level[-1].type == live_events.RUN_FINISHED, [e.type for e in run_level]
    assert sum(e.type == live_events.RUN_FINISHED for e in run_level) == 1
    final = run_level[-1].data
    assert (final["status"], final["total"], final["skipped"]) == ("cancelled", 10, 10), final
    done = stack.run(run.id)
    assert done.status == RunStatus.cancelled and (done.total, done.skipped) == (10, 10)
    # The two running tests got their own test.finished (cancelled), before run.finished.
    events = live_events.read_events(run.id)
    finished_at = next(i for i, e in enumerate(events) if e.type == live_events.RUN_FINISHED)
    stopped = [e for e in events[:finished_at] if e.type == live_events.TEST_FINISHED]
    assert len(stopped) == 2 and {e.data["status"] for e in stopped} == {"cancelled"}
    assert all(w.alive() for w in stack.workers)
