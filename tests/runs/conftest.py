"""Fixtures for the run orchestration tests: real Redis, real `traceiq worker` processes, real
Chromium, a migrated SQLite database per test and a local fixture site.

`stack` points this test process at the test's own database, Redis and data folder (so
`traceiq_app.services.*` can be called directly) and starts workers on demand with the same
settings. Everything is per test: safe under `pytest -n 2`. The browser tests of the run pages use
the web app fixtures of tests/support/webapp.py, imported here.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from tests.factories import make_environment, make_org, make_project, make_suite, make_test_case
from tests.support.processes import RedisServer, base_env, serve_directory, wait_until
from tests.support.webapp import *  # noqa: E402,F401,F403 - the web app tests' fixtures (browser tests of run pages)
from tests.support.webapp import pytest_runtest_makereport  # noqa: F401
from traceiq_app.models import Project, Run, StepResult, TestCase, TestResult

HERE = Path(__file__).resolve().parent
SITE = HERE / "site"
TRACEIQ = str(Path(sys.executable).parent / "traceiq")

# Fast upkeep so crash/timeout tests finish quickly.
FAST_SETTINGS = {
    "TRACEIQ_HEARTBEAT_SECONDS": "0.5",
    "TRACEIQ_WORKER_LOST_SECONDS": "3",
    "TRACEIQ_MAINTENANCE_SECONDS": "0.5",
    "TRACEIQ_MODE": "development",
}


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files plus /flaky/<key>: "Not yet" the first time a key is asked for, then "Flaky ok"."""

    seen: set[str] = set()
    lock = threading.Lock()

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        if self.path.startswith("/flaky/"):
            key = self.path.split("/", 2)[2]
            with self.lock:
                first = key not in self.seen
                self.seen.add(key)
            title = "Not yet" if first else "Flaky ok"
            body = f"<!doctype html><title>{title}</title><h1>{title}</h1>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    with serve_directory(SITE, _SiteHandler) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per xdist worker; each test gets a copy (migrating is slow)."""
    from traceiq_app.services.platform.migrations import upgrade_to_head

    path = tmp_path_factory.mktemp("template") / "traceiq.db"
    upgrade_to_head(f"sqlite:///{path}")
    return path


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    name: str
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill_tree(self) -> None:
        """SIGKILL the worker and everything it started (driver, browser): a machine dying."""
        try:
            import psutil

            children = psutil.Process(self.pid).children(recursive=True)
        except Exception:  # noqa: BLE001 - already gone
            children = []
        self.process.send_signal(signal.SIGKILL)
        for child in children:
            with contextlib.suppress(Exception):
                child.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill_tree()


@dataclass
class Stack:
    redis: RedisServer
    db_url: str
    data_dir: Path
    env: dict[str, str]
    monkeypatch: pytest.MonkeyPatch
    workers: list[WorkerProcess] = field(default_factory=list)

    def configure(self, **settings: str) -> None:
        """More settings for this process and the workers started after this call."""
        for key, value in settings.items():
            self.monkeypatch.setenv(key, value)
        self.env.update(settings)
        _reset_caches()

    # --- processes ------------------------------------------------------------------------
    def start_worker(self, wait: bool = True, **overrides: str) -> WorkerProcess:
        suffix = f"w{len(self.workers)}-{uuid.uuid4().hex[:4]}"
        log_path = self.data_dir / "logs" / f"{suffix}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as out:
            process = subprocess.Popen(
                [TRACEIQ, "worker", "--name-suffix", suffix],
                env={**self.env, **overrides}, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        worker = WorkerProcess(process, f"{socket.gethostname()}.{process.pid}.{suffix}", log_path)
        self.workers.append(worker)
        if wait:
            self.wait_worker_ready(worker)
        return worker

    def wait_worker_ready(self, worker: WorkerProcess, timeout: float = 60) -> None:
        from rq import Worker

        def ready() -> bool:
            if not worker.alive():
                raise AssertionError(f"worker exited early:\n{worker.log()[-3000:]}")
            return any(w.name == worker.name for w in Worker.all(connection=self.redis.client()))

        wait_until(ready, timeout, interval=0.1, what=f"worker {worker.name} to register")

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {w.name}\n{w.log()[-4000:]}" for w in self.workers)

    # --- database -------------------------------------------------------------------------
    def session(self) -> Session:
        from traceiq_app.db import get_engine

        return Session(get_engine(), expire_on_commit=False)

    def run(self, run_id: uuid.UUID) -> Run:
        with self.session() as s:
            run = s.get(Run, run_id)
            assert run is not None
            return run

    def results(self, run_id: uuid.UUID) -> list[TestResult]:
        with self.session() as s:
            return list(s.exec(select(TestResult).where(TestResult.run_id == run_id).order_by(col(TestResult.id))).all())

    def steps(self, test_result_id: uuid.UUID) -> list[StepResult]:
        with self.session() as s:
            return list(s.exec(select(StepResult).where(StepResult.test_result_id == test_result_id)
                               .order_by(col(StepResult.step_index))).all())

    def wait_run(self, run_id: uuid.UUID, timeout: float = 60) -> Run:
        try:
            wait_until(lambda: self.run(run_id).status.is_final, timeout, interval=0.1, what=f"run {run_id} to end")
        except TimeoutError:
            raise AssertionError(f"run did not end; results: {[(r.test_name, r.status) for r in self.results(run_id)]}"
                                 f"\n{self.logs()}") from None
        return self.run(run_id)

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 30, what: str = "condition") -> Any:
        try:
            return wait_until(predicate, timeout, interval=0.05, what=what)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}\n{self.logs()}") from None

    # --- data -----------------------------------------------------------------------------
    def project(self, site_url: str, **settings: Any) -> Project:
        with self.session() as s:
            org = make_org(s, f"Org {uuid.uuid4().hex[:6]}")
            # Short step timeout: expected failures (wrong title...) fail fast instead of in 10 s.
            project = make_project(s, org, "Shop", settings={"base_url": site_url, "step_timeout_ms": 4000,
                                                             **settings})
            s.commit()
            return project

    def test_case(self, project: Project, name: str, steps: list[dict[str, Any]], position: int = 0,
                  **kwargs: Any) -> TestCase:
        with self.session() as s:
            case = make_test_case(s, project, name, steps=steps, **kwargs)
            case.position = position
            s.commit()
            return case

    def suite(self, project: Project, name: str, **kwargs: Any) -> Any:
        with self.session() as s:
            suite = make_suite(s, project, name, **kwargs)
            s.commit()
            return suite

    def token_for(self, project: Project, email: str, member: bool = True,
                  scopes: tuple[str, ...] = ("read", "run")) -> str:
        """An API token of a new user: owner of the project's org, or (member=False) of another org."""
        from tests.factories import make_user
        from traceiq_app.models import OrganizationMember, OrgRole
        from traceiq_app.services.accounts.tokens import create_token

        with self.session() as s:
            user = make_user(s, email)
            org_id = project.org_id if member else make_org(s, f"Other {uuid.uuid4().hex[:6]}").id
            s.add(OrganizationMember(org_id=org_id, user_id=user.id, role=OrgRole.owner))
            s.flush()
            raw, _row = create_token(s, user=user, org_id=org_id, name="ci", scopes=list(scopes))
            s.commit()
            return raw

    def environment(self, project: Project, name: str = "staging", **kwargs: Any) -> Any:
        with self.session() as s:
            env = make_environment(s, project, name, **kwargs)
            s.commit()
            return env


def _reset_caches() -> None:
    from traceiq_app.services.platform.storage import get_storage
    from traceiq_app.settings import reset_settings_cache

    reset_settings_cache()
    get_storage.cache_clear()


@contextlib.contextmanager
def build_stack(redis: RedisServer, postgres: bool, migrated_template: Path, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """A Stack on `redis` and a fresh database (a copy of the migrated SQLite template, or a
    throwaway Postgres database), this process pointed at it; cleaned up on exit."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    pg_database = None
    if postgres:
        pg_database, db_url = _create_pg_database()
    else:
        db_path = data_dir / "traceiq.db"
        shutil.copyfile(migrated_template, db_path)
        db_url = f"sqlite:///{db_path}"
    settings = {"REDIS_URL": redis.url, "DATABASE_URL": db_url, "TRACEIQ_DATA_DIR": str(data_dir),
                **FAST_SETTINGS}
    env = base_env(PYTHONUNBUFFERED="1", **settings)
    for name in [k for k in os.environ if k.startswith(("TRACEIQ_", "S3_"))]:
        monkeypatch.delenv(name)
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    _reset_caches()
    stack = Stack(redis, db_url, data_dir, env, monkeypatch)
    try:
        yield stack
    finally:
        stack.stop_workers()
        monkeypatch.undo()
        _reset_caches()
        if pg_database:
            _drop_pg_database(pg_database)


@pytest.fixture
def stack(redis_server: RedisServer, migrated_template: Path, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    postgres = os.environ.get("TRACEIQ_TEST_RUNS_DB") == "postgres"  # opt-in: the same tests on Postgres
    with build_stack(redis_server, postgres, migrated_template, tmp_path, monkeypatch) as built:
        yield built


PG_ADMIN_URL = os.environ.get("TRACEIQ_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _create_pg_database() -> tuple[str, str]:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from traceiq_app.services.platform.migrations import upgrade_to_head

    name = f"traceiq_r_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    upgrade_to_head(url)
    return name, url


def _drop_pg_database(name: str) -> None:
    import sqlalchemy as sa

    from traceiq_app.db import _engine_for

    _engine_for.cache_clear()
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def goto(path: str = "/") -> dict[str, Any]:
    return {"action": "goto", "url": path}


def title_is(expected: str) -> dict[str, Any]:
    return {"action": "assert_title", "expected": expected}


def wait_ms(ms: int) -> dict[str, Any]:
    # timeout_ms > 2 x ms: the engine checks "ms > remaining" after waiting (reported to the engine helper).
    return {"action": "wait_for", "ms": ms, "timeout_ms": 2 * ms + 5_000}


def quick_steps() -> list[dict[str, Any]]:
    return [goto("/index.html"), title_is("Runs home")]


def now_s() -> float:
    return time.monotonic()
