"""Redis with AOF (as in production) stopped for 5 s mid-run, then started again with the same
arguments: it comes back holding the worker's registration from before the outage. The plain
`traceiq worker` must register again and carry on (it used to exit 1 with rq's "There exists
an active worker named ... already"), the run finishes with every test run exactly once, and
the events published during the outage reach the stream in order: a live reader ends with
exactly the database's state and `run.finished` (with the final totals) last.

The 60 s outage is the same scenario, marked `faults_long`."""

from __future__ import annotations

import time

import pytest

from tests.faults.conftest import LiveReader, assert_each_test_ran_once, assert_reader_matches_database
from tests.runs.conftest import goto, quick_steps, wait_ms
from traceiq_app.models import RunStatus, TestResultStatus
from traceiq_app.services.runs.control import start_run


def _restart_mid_run(stack, site_url, outage_s: float) -> None:
    project = stack.project(site_url)
    stack.test_case(project, "long", [goto("/index.html"), wait_ms(3_000), goto("/next.html"), goto("/index.html")],
                    position=0)
    for n in range(4):
        stack.test_case(project, f"quick {n}", quick_steps(), position=1 + n)
    worker = stack.start_worker()
    run = start_run(project.id)
    reader = LiveReader(run.id).start()

    def long_in_its_wait():
        long = next((r for r in stack.results(run.id) if r.test_name == "long"), None)
        return long if long and long.status == TestResultStatus.running and stack.steps(long.id) else None

    stack.wait_for(long_in_its_wait, timeout=60, what="the long test's wait step")
    stack.redis.stop()  # SIGTERM: Redis writes its AOF, as on a restart
    time.sleep(outage_s)
    stack.redis.start()

    done = stack.wait_run(run.id, timeout=120 + outage_s)
    assert worker.alive(), worker.log()[-3000:]
    assert "active worker" not in worker.log()
    assert done.status == RunStatus.passed and (done.total, done.passed) == (5, 5)
    assert_each_test_ran_once(stack, run.id)
    long = next(r for r in stack.results(run.id) if r.test_name == "long")
    assert len(stack.steps(long.id)) == 4  # nothing lost in the database

    reader.join(timeout=60)
    assert_reader_matches_database(stack, reader)

    # The same worker takes the next run after the outage.
    again = stack.wait_run(start_run(project.id, selection={"test_ids": [long.test_case_id]}).id, timeout=90)
    assert again.status == RunStatus.passed


def test_it_finishes_the_run_after_a_5s_redis_restart_with_aof(fstack, site_url):
    _restart_mid_run(fstack, site_url, outage_s=5)


@pytest.mark.faults_long
def test_it_finishes_the_run_after_a_60s_redis_restart_with_aof(fstack, site_url):
    _restart_mid_run(fstack, site_url, outage_s=60)
