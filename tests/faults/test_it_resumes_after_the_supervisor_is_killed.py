"""`traceiq supervise` (the embedded mode's supervisor, here with workers only, on the test's
AOF Redis) is SIGKILLed mid-run: its workers and their browsers go with it (none is left
orphaned), and once it is started again the run resumes and finishes — the lost attempt is
closed by the reaper and retried."""

from __future__ import annotations

import signal
import subprocess
import time

import psutil
import pytest

from tests.runs.conftest import TRACEIQ, goto, quick_steps, wait_ms
from tests.support.processes import wait_until
from traceiq_app.models import RunStatus, TestResultStatus
from traceiq_app.services.runs.control import start_run


def _supervise(stack, log_name: str) -> subprocess.Popen[bytes]:
    log = open(stack.data_dir / log_name, "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([TRACEIQ, "supervise"], env=stack.env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)


def _workers_registered(stack) -> int:
    from rq import Worker

    return len(Worker.all(connection=stack.redis.client()))


@pytest.mark.faults_long
def test_it_takes_its_children_down_and_resumes_on_restart(fstack, site_url):
    stack = fstack
    stack.configure(TRACEIQ_WORKERS="2")
    project = stack.project(site_url)
    stack.test_case(project, "long", [goto("/index.html"), wait_ms(8_000), goto("/next.html")], position=0)
    for n in range(3):
        stack.test_case(project, f"quick {n}", quick_steps(), position=1 + n)
    first = _supervise(stack, "supervise-1.log")
    try:
        wait_until(lambda: _workers_registered(stack) >= 2, 90, what="two supervised workers")
        run = start_run(project.id, retries=1)
        stack.wait_for(lambda: any(r.test_name == "long" and r.status == TestResultStatus.running
                                   for r in stack.results(run.id)), timeout=60, what="the long test")
        time.sleep(1)
        children = psutil.Process(first.pid).children(recursive=True)
        assert len(children) >= 2
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        gone, alive = psutil.wait_procs(children, timeout=20)
        assert not alive, [p.cmdline() for p in alive]

        second = _supervise(stack, "supervise-2.log")
        try:
            done = stack.wait_run(run.id, timeout=120)
            attempts = {(r.test_name, r.attempt): r for r in stack.results(run.id)}
            assert "worker lost" in (attempts[("long", 1)].error or "")
            assert attempts[("long", 2)].status == TestResultStatus.flaky
            assert done.status == RunStatus.passed and (done.total, done.passed, done.flaky) == (4, 3, 1)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(60)
    finally:
        if first.poll() is None:
            first.kill()
