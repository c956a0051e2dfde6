"""SIGTERM (warm shutdown): the worker finishes its current test, takes no new one and exits 0;
a second SIGTERM hands the running test back to the queue, and another worker runs it."""

from __future__ import annotations

import signal
import time

from tests.runs.conftest import goto, quick_steps, wait_ms
from traceiq_app.models import RunStatus, TestResultStatus
from traceiq_app.services.runs.control import start_run


def _running(stack, run_id, name):
    return any(r.test_name == name and r.status == TestResultStatus.running for r in stack.results(run_id))


def test_it_finishes_the_running_test_then_exits(stack, site_url):
    project = stack.project(site_url)
    stack.test_case(project, "long", [goto("/index.html"), wait_ms(3_000)], position=0)
    stack.test_case(project, "after", quick_steps(), position=1)
    worker = stack.start_worker()
    run = start_run(project.id, parallelism=1)
    stack.wait_for(lambda: _running(stack, run.id, "long"), what="the long test to start")

    worker.process.send_signal(signal.SIGTERM)
    assert worker.process.wait(30) == 0
    statuses = {r.test_name: r.status for r in stack.results(run.id)}
    assert statuses == {"long": TestResultStatus.passed, "after": TestResultStatus.queued}

    stack.start_worker()
    done = stack.wait_run(run.id)
    assert done.status == RunStatus.passed and done.passed == 2


def test_it_hands_the_test_back_on_a_second_sigterm(stack, site_url):
    project = stack.project(site_url)
    stack.test_case(project, "long", [goto("/index.html"), wait_ms(8_000)])
    worker = stack.start_worker()
    run = start_run(project.id)
    stack.wait_for(lambda: _running(stack, run.id, "long"), what="the long test to start")

    worker.process.send_signal(signal.SIGTERM)
    time.sleep(1.2)  # RQ ignores a repeated signal within 1 s
    worker.process.send_signal(signal.SIGTERM)
    worker.process.wait(30)
    (handed_back,) = stack.results(run.id)
    assert handed_back.status == TestResultStatus.queued and handed_back.worker_id is None

    stack.start_worker()
    done = stack.wait_run(run.id, timeout=60)
    assert done.status == RunStatus.passed
    (result,) = stack.results(run.id)
    assert result.attempt == 1 and result.status == TestResultStatus.passed
