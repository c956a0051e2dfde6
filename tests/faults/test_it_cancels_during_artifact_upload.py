"""Cancel while the worker stores a test's artifacts: the worker stores a step's screenshot
right after publishing the step's `step.finished`, and the cancel is sent the moment that event
appears, so it lands during (or just around) the upload. Whatever the interleaving: the run's
`run.finished` carries the final totals as the last run-level event, every artifact of the
cancelled attempt is recorded with its retention expiry (the cancel stamps what is stored, the
worker stamps what it stores after), and the worker takes the next run."""

from __future__ import annotations

import time

from sqlmodel import select

from tests.runs.conftest import goto, quick_steps, wait_ms
from traceiq_app.models import Artifact, RunStatus, TestResultStatus
from traceiq_app.services.runs import live_events
from traceiq_app.services.runs.control import cancel_run, start_run


def test_it_keeps_late_artifacts_and_final_totals(fstack, site_url):
    stack = fstack
    stack.configure(TRACEIQ_RUN_TRACE="on")
    project = stack.project(site_url)
    stack.test_case(project, "slow", [goto("/index.html"), {"action": "screenshot", "full_page": True},
                                      wait_ms(20_000)], position=0)
    stack.test_case(project, "next", quick_steps(), position=1, tags=["next"])
    worker = stack.start_worker()
    run = start_run(project.id, parallelism=1)

    def screenshot_step_finished():
        return any(e.type == live_events.STEP_FINISHED and e.data["index"] == 1
                   for e in live_events.read_events(run.id))
    stack.wait_for(screenshot_step_finished, timeout=60, what="the screenshot step")
    cancel_run(run.id)
    slow = next(r for r in stack.results(run.id) if r.test_name == "slow")

    def artifacts():
        with stack.session() as s:
            return list(s.exec(select(Artifact).where(Artifact.test_result_id == slow.id)).all())
    stack.wait_for(lambda: any(a.kind == "screenshot" for a in artifacts()), timeout=30,
                   what="the screenshot to be stored")
    stack.wait_for(lambda: not stack.redis.client().exists(f"traceiq:test:{slow.id}:heartbeat"), timeout=30,
                   what="the worker to stop the test")
    time.sleep(1)
    stored = artifacts()
    assert stored and all(a.expires_at is not None and a.outcome is not None for a in stored), \
        [(a.kind, a.expires_at, a.outcome) for a in stored]

    done = stack.run(run.id)
    assert done.status == RunStatus.cancelled and (done.total, done.skipped) == (2, 2)
    assert {r.status for r in stack.results(run.id)} == {TestResultStatus.cancelled}
    run_level = [e for e in live_events.read_events(run.id) if e.type.startswith("run.")]
    assert run_level[-1].type == live_events.RUN_FINISHED and run_level[-1].data["skipped"] == 2

    assert worker.alive()
    again = stack.wait_run(start_run(project.id, selection={"tags": ["next"]}).id, timeout=90)
    assert again.status == RunStatus.passed
