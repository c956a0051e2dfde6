"""A worker SIGKILLed (with its browser) in the middle of a step, on SQLite and Postgres: the
attempt is closed as *error* "worker lost" and retried on the other worker within 30 s, its
recorded steps are kept, its duration ends at its last sign of life (heartbeat or step), not
when the reaper noticed, and the run's totals are exact."""

from __future__ import annotations

import time

from tests.runs.conftest import goto, quick_steps, wait_ms
from traceiq_app.models import RunStatus, StepStatus, TestResultStatus
from traceiq_app.services.runs import live_events
from traceiq_app.services.runs.control import start_run


def test_it_closes_and_retries_the_lost_attempt(fstack, site_url):
    stack = fstack
    project = stack.project(site_url)
    stack.test_case(project, "victim", [goto("/index.html"), wait_ms(8_000), goto("/next.html")], position=0)
    for n in range(3):
        stack.test_case(project, f"quick {n}", quick_steps(), position=1 + n)
    stack.start_worker(wait=False)
    stack.start_worker(wait=False)
    for worker in stack.workers:
        stack.wait_worker_ready(worker)
    run = start_run(project.id, retries=1)

    def victim_mid_step():
        first = next((r for r in stack.results(run.id) if r.test_name == "victim"), None)
        if not first or first.status != TestResultStatus.running:
            return None
        started = any(e.type == live_events.STEP_STARTED and e.data["test_result_id"] == str(first.id)
                      and e.data["index"] == 1 for e in live_events.read_events(run.id))
        return first if started else None

    first = stack.wait_for(victim_mid_step, timeout=60, what="the victim's long step")
    time.sleep(1)
    doomed = next(w for w in stack.workers if w.name == first.worker_id)
    survivor = next(w for w in stack.workers if w is not doomed)
    killed_at = time.monotonic()
    doomed.kill_tree()

    def retried():
        attempts = [r for r in stack.results(run.id) if r.test_name == "victim"]
        return len(attempts) == 2 and attempts[1].status != TestResultStatus.queued
    stack.wait_for(retried, timeout=30, what="the lost attempt to be closed and retried")
    assert time.monotonic() - killed_at <= 30

    done = stack.wait_run(run.id, timeout=90)
    attempts = {(r.test_name, r.attempt): r for r in stack.results(run.id)}
    lost = attempts[("victim", 1)]
    assert lost.status == TestResultStatus.error and "worker lost" in (lost.error or "")
    assert [s.status for s in stack.steps(lost.id)] == [StepStatus.passed]  # kept
    # Duration up to the last heartbeat, not up to the reaper's pass: the worker was dead for
    # at least TRACEIQ_WORKER_LOST_SECONDS (3 s) plus the heartbeat's TTL before that.
    assert lost.started_at is not None and lost.finished_at is not None and lost.duration_ms is not None
    noticed_ms = (lost.finished_at - lost.started_at).total_seconds() * 1000
    assert lost.duration_ms <= noticed_ms - 3000, (lost.duration_ms, noticed_ms)
    assert lost.duration_ms >= 1000  # it did run its first step and a second of the wait
    retry = attempts[("victim", 2)]
    assert retry.worker_id == survivor.name and retry.status == TestResultStatus.flaky
    assert len(attempts) == 5  # 4 tests + 1 retry: nothing lost, nothing doubled
    assert done.status == RunStatus.passed and (done.total, done.passed, done.flaky) == (4, 3, 1)
    assert survivor.alive()
