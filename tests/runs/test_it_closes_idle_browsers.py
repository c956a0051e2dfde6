"""A warm worker closes its browser after TRACEIQ_BROWSER_IDLE_SECONDS without a test (its
Chromium processes and the Playwright driver, a Node.js process, end: the memory goes back) and
relaunches them for the next test, which passes;
the relaunch starts with the job, while the attempt is claimed (services/runs/relaunch.py)."""

from __future__ import annotations

from collections.abc import Callable

import psutil

from tests.runs.conftest import quick_steps
from traceiq_app.models import RunStatus
from traceiq_app.services.runs.control import start_run


def _children(pid: int, matches: Callable[[psutil.Process], bool]) -> list[psutil.Process]:
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        try:
            if matches(child):
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


def _browser_processes(pid: int) -> list[psutil.Process]:
    return _children(pid, lambda child: "chrom" in child.name().lower())


def _driver_processes(pid: int) -> list[psutil.Process]:
    """Playwright's driver: `node .../cli.js run-driver`."""
    return _children(pid, lambda child: "run-driver" in " ".join(child.cmdline()))


def test_it_closes_an_idle_browser_and_relaunches_it_for_the_next_test(stack, site_url) -> None:  # type: ignore[no-untyped-def]
    stack.configure(TRACEIQ_BROWSER_IDLE_SECONDS="2")
    project = stack.project(site_url)
    stack.test_case(project, "home", quick_steps())
    worker = stack.start_worker()
    first = start_run(project.id)
    assert stack.wait_run(first.id).status == RunStatus.passed
    assert _browser_processes(worker.pid), "the browser stays warm right after a test"
    assert _driver_processes(worker.pid), "and the Playwright driver"

    # The worker logs the close once Playwright returned (its Chromium may be gone a moment earlier).
    stack.wait_for(lambda: not _browser_processes(worker.pid) and "closed the idle browser" in worker.log(),
                   timeout=30, what="the idle browser to close")
    stack.wait_for(lambda: not _driver_processes(worker.pid), timeout=10, what="the Playwright driver to end")
    assert worker.alive()

    second = start_run(project.id)
    assert stack.wait_run(second.id).status == RunStatus.passed, stack.logs()
    assert _browser_processes(worker.pid), "relaunched for the test, warm again"
    assert _driver_processes(worker.pid)
    assert "relaunched chromium after idle" in worker.log(), "the launch overlaps the claim"


def test_it_keeps_the_driver_when_told_to(stack, site_url) -> None:  # type: ignore[no-untyped-def]
    stack.configure(TRACEIQ_BROWSER_IDLE_SECONDS="2", TRACEIQ_BROWSER_IDLE_KEEP_DRIVER="true")
    project = stack.project(site_url)
    stack.test_case(project, "home", quick_steps())
    worker = stack.start_worker()
    assert stack.wait_run(start_run(project.id).id).status == RunStatus.passed
    driver = _driver_processes(worker.pid)
    stack.wait_for(lambda: not _browser_processes(worker.pid) and "closed the idle browser" in worker.log(),
                   timeout=30, what="the idle browser to close")
    assert [p.pid for p in _driver_processes(worker.pid)] == [p.pid for p in driver] != []
    assert stack.wait_run(start_run(project.id).id).status == RunStatus.passed, stack.logs()
    assert _browser_processes(worker.pid)


def test_it_keeps_the_browser_open_when_the_idle_close_is_off(stack, site_url) -> None:  # type: ignore[no-untyped-def]
    import time

    stack.configure(TRACEIQ_BROWSER_IDLE_SECONDS="0")
    project = stack.project(site_url)
    stack.test_case(project, "home", quick_steps())
    worker = stack.start_worker()
    assert stack.wait_run(start_run(project.id).id).status == RunStatus.passed
    time.sleep(4)
    assert _browser_processes(worker.pid)
