"""Postgres drops every connection of TraceIQ's database mid-run (`pg_terminate_backend`, what
a Postgres restart or failover does to clients; the machine's Postgres itself is shared and is
not restarted): workers reconnect, the run finishes with exact totals, every test once.
Postgres only: SQLite has no connections to drop."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.faults.conftest import PG_ADMIN_URL, assert_each_test_ran_once
from tests.runs.conftest import goto, title_is
from traceiq_app.models import RunStatus, TestResultStatus
from traceiq_app.services.runs.control import start_run


def _drop_connections(database: str) -> int:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        dropped = conn.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": database}).scalar()
    admin.dispose()
    return int(dropped or 0)


# In `make test-faults` only: under a full parallel `make test` the worker's 3 s lost-worker
# limit (FAST_SETTINGS) was once crossed while its connection was being re-established.
@pytest.mark.faults_long
def test_it_finishes_the_run_after_its_connections_were_dropped(fstack, site_url):
    stack = fstack
    if stack.db_kind != "postgres":
        pytest.skip("Postgres only: SQLite has no server connections to drop")
    database = make_url(stack.db_url).database
    project = stack.project(site_url)
    steps = [goto("/index.html"), title_is("Runs home"), goto("/next.html"), goto("/index.html")]
    for n in range(6):
        stack.test_case(project, f"test {n}", steps, position=n)
    stack.start_worker()
    run = start_run(project.id)
    stack.wait_for(lambda: any(r.status == TestResultStatus.running for r in stack.results(run.id)),
                   timeout=60, what="the first test to start")
    dropped = 0
    for _ in range(4):
        dropped += _drop_connections(database)
        time.sleep(1.5)
    assert dropped >= 2  # the worker's and ours, at least

    done = stack.wait_run(run.id, timeout=120)
    assert done.status == RunStatus.passed and (done.total, done.passed) == (6, 6), \
        [(r.test_name, r.status, r.error) for r in stack.results(run.id)]
    assert_each_test_ran_once(stack, run.id)
    for result in stack.results(run.id):
        assert len(stack.steps(result.id)) == 4
    assert all(w.alive() for w in stack.workers)
