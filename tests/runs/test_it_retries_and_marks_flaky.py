"""Per-run retries: a test that fails then passes is *flaky* (both attempts kept as separate
rows); one that keeps failing is failed after retries+1 attempts."""

from __future__ import annotations

import uuid

from tests.runs.conftest import goto, title_is
from traceiq_app.models import RunStatus, TestResultStatus
from traceiq_app.services.runs import live_events
from traceiq_app.services.runs.control import start_run


def test_it_retries_failures_and_reports_fail_then_pass_as_flaky(stack, site_url):
    project = stack.project(site_url)
    flaky = stack.test_case(project, "flaky", [goto(f"/flaky/{uuid.uuid4().hex}"), title_is("Flaky ok")])
    broken = stack.test_case(project, "broken", [goto("/index.html"), title_is("Never")])
    stack.start_worker()

    run = start_run(project.id, retries=1)
    done = stack.wait_run(run.id)

    assert done.status == RunStatus.failed
    assert (done.total, done.passed, done.flaky, done.failed) == (2, 0, 1, 1)
    results = stack.results(run.id)
    attempts = {(r.test_name, r.attempt): r for r in results}
    assert sorted(attempts) == [("broken", 1), ("broken", 2), ("flaky", 1), ("flaky", 2)]
    assert attempts[("flaky", 1)].status == TestResultStatus.failed
    assert attempts[("flaky", 2)].status == TestResultStatus.flaky
    assert attempts[("broken", 1)].status == attempts[("broken", 2)].status == TestResultStatus.failed
    assert {r.test_case_id for r in results} == {flaky.id, broken.id}
    # Every attempt keeps its own steps.
    assert len(stack.steps(attempts[("flaky", 1)].id)) == 2 and len(stack.steps(attempts[("flaky", 2)].id)) == 2

    events = live_events.read_events(run.id)
    retries = [e for e in events if e.type == live_events.TEST_QUEUED and e.data.get("reason") == "retry"]
    assert len(retries) == 2
    finished = [e.data["status"] for e in events if e.type == live_events.TEST_FINISHED]
    assert sorted(finished) == ["failed", "failed", "failed", "flaky"]

    # A run whose only problem was flakiness passes (flaky counted, not passed).
    other = stack.project(site_url)
    stack.test_case(other, "flaky", [goto(f"/flaky/{uuid.uuid4().hex}"), title_is("Flaky ok")])
    again = stack.wait_run(start_run(other.id, retries=2).id)
    assert again.status == RunStatus.passed and again.flaky == 1 and again.passed == 0
    assert [r.attempt for r in stack.results(again.id)] == [1, 2]
