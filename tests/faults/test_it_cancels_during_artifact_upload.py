"""Cancel while the worker stores artifacts: with traces on, the cancel aborts the step in
flight and the worker then uploads the test's trace — after the run already ended. The run's
`run.finished` keeps its final totals as the last run-level event, the late trace is still
recorded and gets its retention expiry (the cancel closed the attempt; the worker only stamps
its artifacts), and the worker takes the next run."""

from __future__ import annotations

import time

from tests.runs.conftest import goto, quick_steps, wait_ms
from traceiq_app.models import Artifact, RunStatus, TestResultStatus
from traceiq_app.services.runs import live_events
from traceiq_app.services.runs.control import cancel_run, start_run


def test_it_keeps_late_artifacts_and_final_totals(fstack, site_url):
    stack = fstack
    stack.configure(TRACEIQ_RUN_TRACE="on")
    project = stack.project(site_url)
    stack.test_case(project, "slow", [goto("/index.html"), goto("/next.html"), wait_ms(20_000)], position=0)
    stack.test_case(project, "next", quick_steps(), position=1, tags=["next"])
    worker = stack.start_worker()
    run = start_run(project.id, parallelism=1)
    stack.wait_for(lambda: any(e.type == live_events.STEP_STARTED and e.data["index"] == 2
                               for e in live_events.read_events(run.id)), timeout=60, what="the wait step")
    cancel_run(run.id)
    slow = next(r for r in stack.results(run.id) if r.test_name == "slow")

    def trace_stored():
        with stack.session() as s:
            return s.query(Artifact).filter(Artifact.test_result_id == slow.id, Artifact.kind == "trace").first()
    trace = stack.wait_for(trace_stored, timeout=30, what="the cancelled test's trace")
    time.sleep(1)
    with stack.session() as s:
        trace = s.get(Artifact, trace.id)
        assert trace.expires_at is not None and trace.outcome is not None

    done = stack.run(run.id)
    assert done.status == RunStatus.cancelled and (done.total, done.skipped) == (2, 2)
    assert {r.status for r in stack.results(run.id)} == {TestResultStatus.cancelled}
    run_level = [e for e in live_events.read_events(run.id) if e.type.startswith("run.")]
    assert run_level[-1].type == live_events.RUN_FINISHED and run_level[-1].data["skipped"] == 2

    assert worker.alive()
    again = stack.wait_run(start_run(project.id, selection={"tags": ["next"]}).id, timeout=90)
    assert again.status == RunStatus.passed
