"""A test stored before locators were checked at save time, with a CSS selector no browser
can parse: its run fails once with a message naming the locator — no retry, since every
attempt would fail the same way (it used to be retried until the run's retries ran out)."""

from __future__ import annotations

from tests.runs.conftest import goto
from traceiq_app.models import RunStatus, TestResultStatus
from traceiq_app.services.runs.control import start_run


def test_it_fails_once_with_the_locator_named(stack, site_url):
    project = stack.project(site_url)
    # The factory writes the row directly, like a test saved before the checks existed.
    stack.test_case(project, "stale", [goto("/index.html"), {"action": "click", "target": {"css": "##btn[["}}])
    stack.start_worker()
    run = start_run(project.id, retries=2)
    done = stack.wait_run(run.id, timeout=90)
    results = stack.results(run.id)
    assert len(results) == 1, [(r.attempt, r.status, r.error) for r in results]
    assert results[0].status == TestResultStatus.error
    assert "invalid CSS selector '##btn[['" in (results[0].error or "")
    assert done.status == RunStatus.error
