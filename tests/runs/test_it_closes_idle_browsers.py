"""A warm worker closes its browser after TRACEIQ_BROWSER_IDLE_SECONDS without a test (its
Chromium processes end, the memory goes back) and relaunches it for the next test, which passes."""

from __future__ import annotations

import psutil

from tests.runs.conftest import quick_steps
from traceiq_app.models import RunStatus
from traceiq_app.services.runs.control import start_run


def _browser_processes(pid: int) -> list[psutil.Process]:
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        try:
            if "chrom" in child.name().lower():
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


def test_it_closes_an_idle_browser_and_relaunches_it_for_the_next_test(stack, site_url) -> None:  # type: ignore[no-untyped-def]
    stack.configure(TRACEIQ_BROWSER_IDLE_SECONDS="2")
    project = stack.project(site_url)
    stack.test_case(project, "home", quick_steps())
    worker = stack.start_worker()
    first = start_run(project.id)
    assert stack.wait_run(first.id).status == RunStatus.passed
    assert _browser_processes(worker.pid), "the browser stays warm right after a test"

    # The worker logs the close once Playwright returned (its Chromium may be gone a moment earlier).
    stack.wait_for(lambda: not _browser_processes(worker.pid) and "closed the idle browser" in worker.log(),
                   timeout=30, what="the idle browser to close")
    assert worker.alive()

    second = start_run(project.id)
    assert stack.wait_run(second.id).status == RunStatus.passed, stack.logs()
    assert _browser_processes(worker.pid), "relaunched for the test, warm again"


def test_it_keeps_the_browser_open_when_the_idle_close_is_off(stack, site_url) -> None:  # type: ignore[no-untyped-def]
    import time

    stack.configure(TRACEIQ_BROWSER_IDLE_SECONDS="0")
    project = stack.project(site_url)
    stack.test_case(project, "home", quick_steps())
    worker = stack.start_worker()
    assert stack.wait_run(start_run(project.id).id).status == RunStatus.passed
    time.sleep(4)
    assert _browser_processes(worker.pid)
