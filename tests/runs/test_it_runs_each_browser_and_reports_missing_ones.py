"""Multi-browser runs: one job per test x browser; a browser the worker lacks makes that job
*error* with the reason (not retried), while the other browsers still run."""

from __future__ import annotations

from tests.runs.conftest import quick_steps
from traceiq_app.models import Browser, RunStatus, TestResultStatus
from traceiq_app.services.runs.control import start_run


def test_it_runs_every_browser_and_errors_the_missing_ones(stack, site_url):
    project = stack.project(site_url)
    stack.test_case(project, "home", quick_steps())
    stack.test_case(project, "home again", quick_steps())
    stack.start_worker()

    run = start_run(project.id, browsers=["chromium", "firefox", "webkit"], retries=2)
    assert run.total == 6 and run.browsers == ["chromium", "firefox", "webkit"]
    done = stack.wait_run(run.id, timeout=90)

    results = stack.results(run.id)
    assert len(results) == 6  # missing browsers are not retried
    chromium = [r for r in results if r.browser == Browser.chromium]
    assert [r.status for r in chromium] == [TestResultStatus.passed] * 2
    for result in results:
        if result.browser != Browser.chromium and result.status != TestResultStatus.passed:
            assert result.status == TestResultStatus.error
            assert result.browser.value.capitalize() in (result.error or "")
            assert "playwright install" in (result.error or "") or "failed to start" in (result.error or "")
    missing = sum(1 for r in results if r.status == TestResultStatus.error)
    assert done.errors == missing and done.passed == 6 - missing
    assert done.status == (RunStatus.error if missing else RunStatus.passed)
