"""A step's console errors and failed requests travel with its `step.finished` event, so the
live page can show them while the test is still running; the database keeps the same lists."""

from __future__ import annotations

from tests.runs.conftest import goto, wait_ms
from traceiq_app.models import RunStatus
from traceiq_app.services.runs import live_events
from traceiq_app.services.runs.control import start_run


def _finished_steps(run_id):  # type: ignore[no-untyped-def]
    events = live_events.read_events(run_id, "0")
    return ({e.data["index"]: e for e in events if e.type == live_events.STEP_FINISHED},
            [e for e in events if e.type == live_events.TEST_FINISHED])


def test_step_finished_carries_console_and_network_errors_while_the_test_runs(stack, site_url):
    project = stack.project(site_url)
    stack.test_case(project, "noisy page", [goto("/errors.html"), wait_ms(2500)])
    stack.start_worker()

    run = start_run(project.id)
    steps, finished = stack.wait_for(lambda: (r := _finished_steps(run.id))[0].get(0) and r,
                                     timeout=60, what="the first step's step.finished")
    # The test is still in its second step: nothing has ended yet.
    assert not finished and 1 not in steps
    first = steps[0].data
    assert first["status"] == "passed"
    assert first["console_errors"] == ["checkout widget failed: boom"]
    # The 404, once (Chromium's follow-up ERR_ABORTED for the same script is not a second error).
    assert [x for x in first["network_errors"] if "missing-widget.js" in x] == [first["network_errors"][0]]
    assert any(x.startswith("404 GET ") and x.endswith("/missing-widget.js") for x in first["network_errors"])
    # The step's end in the worker, in ms since the epoch, no later than the entry's own time.
    assert 0 < first["finished_at"] <= int(steps[0].id.split("-")[0]) + 1

    done = stack.wait_run(run.id, timeout=60)
    assert done.status == RunStatus.passed
    steps, finished = _finished_steps(run.id)
    assert steps[1].data["console_errors"] == [] and steps[1].data["network_errors"] == []
    assert len(finished) == 1
    [result] = stack.results(run.id)
    db = {s.step_index: s for s in stack.steps(result.id)}
    assert db[0].console_errors == first["console_errors"] and db[0].network_errors == first["network_errors"]


def test_a_failing_step_is_published_before_its_screenshot_is_stored(stack, site_url):
    project = stack.project(site_url)
    stack.test_case(project, "wrong title", [goto("/index.html"),
                                             {"action": "assert_title", "expected": "Nope", "timeout_ms": 500}])
    stack.start_worker()

    run = start_run(project.id)
    assert stack.wait_run(run.id, timeout=60).status == RunStatus.failed
    events = live_events.read_events(run.id, "0")
    finished = next(i for i, e in enumerate(events) if e.type == live_events.STEP_FINISHED and e.data["index"] == 1)
    shot = next(i for i, e in enumerate(events)
                if e.type == live_events.ARTIFACT_READY and e.data["kind"] == "failure_screenshot")
    # An upload (S3) must not hold the step's status back from the live page.
    assert finished < shot and events[shot].data["step_index"] == 1
    [result] = stack.results(run.id)
    db = {s.step_index: s for s in stack.steps(result.id)}
    assert str(db[1].screenshot_artifact_id) == events[shot].data["artifact_id"]
    assert db[0].screenshot_artifact_id is None


def test_long_error_lists_are_capped_in_the_event() -> None:
    many = [f"error {n} " + "x" * 3000 for n in range(50)]
    capped = live_events.capped(many)
    assert len(capped) == live_events.NOTES_MAX
    assert all(len(x) <= live_events.NOTE_CHARS + 2 for x in capped) and capped[0].endswith(" …")
    assert live_events.capped(None) == [] and live_events.capped(["short"]) == ["short"]
