"""`traceiq supervise` (the embedded mode's supervisor, here with workers only, on the test's
AOF Redis) is SIGKILLed mid-run: its workers get the kernel's parent-death SIGTERM, finish the
test in hand (warm shutdown) and exit with their browsers — none is left orphaned — and once it
is started again the run resumes and finishes, every test passed exactly once."""

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
    for n in range(2):  # one per worker, so the quick ones are still queued at the kill
        stack.test_case(project, f"long {n}", [goto("/index.html"), wait_ms(8_000), goto("/next.html")], position=n)
    for n in range(4):
        stack.test_case(project, f"quick {n}", quick_steps(), position=2 + n)
    first = _supervise(stack, "supervise-1.log")
    try:
        wait_until(lambda: _workers_registered(stack) >= 2, 90, what="two supervised workers")
        run = start_run(project.id)
        stack.wait_for(lambda: sum(r.test_name.startswith("long") and r.status == TestResultStatus.running
                                   for r in stack.results(run.id)) == 2, timeout=60, what="both long tests")
        time.sleep(1)
        children = psutil.Process(first.pid).children(recursive=True)
        assert len(children) >= 2
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        gone, alive = psutil.wait_procs(children, timeout=45)
        assert not alive, [p.cmdline() for p in alive]
        assert stack.run(run.id).status == RunStatus.running  # the rest waits for workers

        second = _supervise(stack, "supervise-2.log")
        try:
            done = stack.wait_run(run.id, timeout=120)
            results = stack.results(run.id)
            assert [r.status for r in results] == [TestResultStatus.passed] * 6, \
                [(r.test_name, r.attempt, r.status, r.error) for r in results]
            assert done.status == RunStatus.passed and (done.total, done.passed) == (6, 6)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(60)
    finally:
        if first.poll() is None:
            first.kill()
