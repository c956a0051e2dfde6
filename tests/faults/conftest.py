"""Fault scenarios: real `traceiq worker` processes, a real redis-server that persists its data
(`--appendonly yes`, as every production Redis does), real Chromium, and each scenario on
SQLite and on Postgres (127.0.0.1:5432, see tests/runs/conftest.py `_create_pg_database`; the
Postgres half is skipped, saying so, when no server answers there).

`fstack` is tests/runs' `Stack` (same helpers: start_worker, wait_run, results, steps...) on
the test's own AOF Redis, so a scenario can stop and restart Redis without touching any other
test. The longest scenarios are marked `faults_long` (`make test-faults` runs them; `make
test` leaves them out).
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.runs.conftest import (  # noqa: F401 - fixtures re-used here
    FAST_SETTINGS,
    Stack,
    _create_pg_database,
    _drop_pg_database,
    _reset_caches,
    build_stack,
    migrated_template,
    site_url,
)
from tests.support.processes import RedisServer
from traceiq_app.services.runs import live_events

PG_ADMIN_URL = os.environ.get("TRACEIQ_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _postgres_answers() -> bool:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(PG_ADMIN_URL, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - no server: the Postgres half is skipped
        return False


@pytest.fixture(params=["sqlite", "postgres"])
def db_kind(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not _postgres_answers():
        pytest.skip(f"no Postgres at {PG_ADMIN_URL}")
    return str(request.param)


@pytest.fixture
def aof_redis() -> Iterator[RedisServer]:
    # Unix socket paths are limited to ~107 bytes: keep it short.
    directory = Path(os.environ.get("TMPDIR", "/tmp")) / f"tiq-fr-{os.getpid()}-{os.urandom(3).hex()}"
    server = RedisServer(directory, appendonly=True).start()
    yield server
    server.stop()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def fstack(aof_redis: RedisServer, db_kind: str, migrated_template: Path, tmp_path: Path,  # noqa: F811
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    with build_stack(aof_redis, db_kind == "postgres", migrated_template, tmp_path, monkeypatch) as stack:
        stack.db_kind = db_kind  # type: ignore[attr-defined]
        yield stack


# ---- a live reader, like GET /api/runs/{id}/events polled by a dashboard -------------------------
@dataclass
class LiveReader:
    """Follows a run's stream from "0" through Redis outages (retrying), applying each event
    to what a page would show; stops after `run.finished`, and a few quiet seconds."""

    run_id: uuid.UUID
    events: list[live_events.LiveEvent] = field(default_factory=list)
    tests: dict[str, str] = field(default_factory=dict)  # attempt id -> status
    steps: dict[tuple[str, int], str] = field(default_factory=dict)
    errors: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> LiveReader:
        self._thread = threading.Thread(target=self._follow, daemon=True)
        self._thread.start()
        return self

    def _follow(self) -> None:
        import time

        last_id, quiet_since = "0", None
        while not self._stop.is_set():
            try:
                batch = live_events.read_events(self.run_id, last_id, block_ms=500)
            except Exception:  # noqa: BLE001 - Redis is away: retry like a page does
                self.errors += 1
                time.sleep(0.3)
                continue
            for event in batch:
                self._apply(event)
                last_id = event.id
            if self.finished and not batch:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since > 3:
                    return
            elif batch:
                quiet_since = None

    def _apply(self, event: live_events.LiveEvent) -> None:
        self.events.append(event)
        d: dict[str, Any] = event.data
        if event.type == live_events.TEST_STARTED:
            self.tests[d["test_result_id"]] = "running"
        elif event.type == live_events.TEST_FINISHED:
            self.tests[d["test_result_id"]] = d["status"]
        elif event.type == live_events.STEP_STARTED:
            self.steps.setdefault((d["test_result_id"], d["index"]), "running")
        elif event.type == live_events.STEP_FINISHED:
            self.steps[(d["test_result_id"], d["index"])] = d["status"]

    @property
    def finished(self) -> bool:
        return any(e.type == live_events.RUN_FINISHED for e in self.events)

    def run_level(self) -> list[live_events.LiveEvent]:
        return [e for e in self.events if e.type.startswith("run.")]

    def join(self, timeout: float = 60) -> None:
        assert self._thread is not None
        self._thread.join(timeout)
        self._stop.set()


def assert_reader_matches_database(stack: Stack, reader: LiveReader) -> None:
    """The reader ended with exactly the database's state: every attempt and step, and the
    run's final totals in `run.finished`, the last run-level event."""
    run = stack.run(reader.run_id)
    results = stack.results(reader.run_id)
    assert reader.tests == {str(r.id): r.status.value for r in results if r.started_at is not None}, reader.tests
    db_steps = {(str(r.id), s.step_index): s.status.value for r in results for s in stack.steps(r.id)}
    assert reader.steps == db_steps
    run_level = reader.run_level()
    assert run_level[-1].type == live_events.RUN_FINISHED, [e.type for e in run_level]
    assert sum(1 for e in run_level if e.type == live_events.RUN_FINISHED) == 1
    assert sum(1 for e in run_level if e.type == live_events.RUN_STARTED) == 1
    final = run_level[-1].data
    assert {k: final[k] for k in ("status", "total", "passed", "failed", "flaky", "errors", "skipped")} == {
        "status": run.status.value, "total": run.total, "passed": run.passed, "failed": run.failed,
        "flaky": run.flaky, "errors": run.errors, "skipped": run.skipped}


def assert_each_test_ran_once(stack: Stack, run_id: uuid.UUID) -> None:
    """No attempt lost or duplicated: one attempt per test (no retries asked), all final."""
    results = stack.results(run_id)
    names = [r.test_name for r in results]
    assert len(names) == len(set(names)), names
    assert all(r.status.is_final for r in results)
