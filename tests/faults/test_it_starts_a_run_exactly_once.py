"""Two idle workers claim the two tests of a fresh run at the same moment: the run's
queued -> running transition happens once (one `run.started`; `started_at` is one of its tests' claims),
on SQLite and on Postgres (where it used to happen twice in 17 of 20 runs)."""

from __future__ import annotations

from tests.runs.conftest import quick_steps
from traceiq_app.models import RunStatus
from traceiq_app.services.runs import live_events
from traceiq_app.services.runs.control import start_run

RUNS = 8


def test_it_publishes_one_run_started_per_run(fstack, site_url):
    stack = fstack
    project = stack.project(site_url)
    for n in range(2):
        stack.test_case(project, f"quick {n}", quick_steps(), position=n)
    stack.start_worker(wait=False)
    stack.start_worker(wait=False)
    for worker in stack.workers:
        stack.wait_worker_ready(worker)
    doubled = []
    for _ in range(RUNS):
        run = start_run(project.id)
        done = stack.wait_run(run.id, timeout=60)
        assert done.status == RunStatus.passed
        started = [e for e in live_events.read_events(run.id) if e.type == live_events.RUN_STARTED]
        starts = {r.started_at for r in stack.results(run.id)}
        if len(started) != 1 or done.started_at not in starts:
            doubled.append((len(started), done.started_at))
    assert not doubled, f"{len(doubled)} of {RUNS} runs started more than once: {doubled}"
