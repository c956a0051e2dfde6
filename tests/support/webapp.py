"""Fixtures for the web app tests (tests/app, tests/catalog, tests/runs import them into their conftest.py).

`web_db` points the app's settings at a fresh migrated SQLite database; `web_db_any` does the
same on SQLite AND a throwaway Postgres database (dropped after the test). `personas` fills
it with tests.factories' cast (alice owner, bob editor, charlie outsider).

For browser tests against the running app (`app_server`, tests/conftest.py): `app_db` points
this process at the app's own database and Redis, `worker` starts a real `traceiq worker`
process on them, and a failing test's report ends with the app's and the worker's logs.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from tests.db.conftest import pg_url  # noqa: F401 - re-exported fixture
from tests.factories import Personas, make_personas
from tests.support.database import use_database
from tests.support.processes import base_env, wait_until
from traceiq_app.db import get_engine
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.settings import reset_settings_cache


@pytest.fixture
def web_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'data' / 'traceiq.db'}"
    use_database(monkeypatch, tmp_path, url)
    yield url
    get_engine().dispose()
    reset_settings_cache()


@pytest.fixture(params=["sqlite", "postgres"])
def web_db_any(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'data' / 'traceiq.db'}"
    else:
        url = str(request.getfixturevalue("pg_url"))
    use_database(monkeypatch, tmp_path, url)
    yield url
    get_engine().dispose()
    reset_settings_cache()


def _cast() -> Personas:
    with Session(get_engine(), expire_on_commit=False) as s:
        cast = make_personas(s)
        s.commit()
    return cast


@pytest.fixture
def personas(web_db: str) -> Personas:
    return _cast()


@pytest.fixture
def personas_any(web_db_any: str) -> Personas:
    return _cast()


def principal_of(user) -> Principal:  # type: ignore[no-untyped-def]
    return Principal(user_id=user.id, email=user.email)


# ---- the running app: its database, real workers, logs on failure ---------------------------
BIN = Path(sys.executable).parent
LOG_TAIL = 8000
BROWSER_TIMEOUT_MS = 30_000
SITES = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def runs_site() -> Iterator[str]:
    """tests/runs/site, served on a free port: the pages the runs' tests visit."""
    from tests.support.processes import serve_directory

    with serve_directory(SITES / "runs" / "site") as url:
        yield url


@pytest.fixture(scope="module")
def exec_site() -> Iterator[str]:
    """tests/exec/site (the Recorder flows' fixture site), served on a free port."""
    from tests.support.processes import serve_directory

    with serve_directory(SITES / "exec" / "site") as url:
        yield url


@pytest.fixture
def patient_expect() -> Iterator[None]:
    """A machine running the whole suite can be slow: browser assertions wait 30 s, not 5 s."""
    from playwright.sync_api import expect

    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    yield
    expect.set_options(timeout=5_000)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failing browser test shows the tail of the app's log and of its workers' logs."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when != "call" or not report.failed:
        return
    funcargs: dict[str, Any] = getattr(item, "funcargs", {})
    server = funcargs.get("app_server")
    if server is not None:
        report.sections.append(("app log (tail)", server.logs()[-LOG_TAIL:]))
    worker = funcargs.get("worker")
    if isinstance(worker, AppWorker):
        report.sections.append((f"worker log {worker.log.name} (tail)", worker.logs()[-LOG_TAIL:]))


@pytest.fixture
def app_db(app_server, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Point this process at the app's database/Redis (to seed data or look at its queues)."""
    from traceiq_app.db import get_engine
    from traceiq_app.settings import reset_settings_cache

    monkeypatch.setenv("TRACEIQ_DATA_DIR", str(app_server.data_dir))
    monkeypatch.setenv("REDIS_URL", app_server.redis.url)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("TRACEIQ_SECRET_KEY", raising=False)
    reset_settings_cache()
    yield
    get_engine().dispose()
    monkeypatch.undo()
    reset_settings_cache()


@dataclass
class AppWorker:
    process: subprocess.Popen[bytes]
    log: Path

    def logs(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture
def worker(app_server, app_db) -> Iterator[AppWorker]:  # type: ignore[no-untyped-def]
    """A real `traceiq worker` process on the app's database and Redis (registered before the
    test starts), with short heartbeat/maintenance periods. (Video is each run's choice: the run
    dialog's Video select, default the project's setting.)"""
    from rq import Worker

    from traceiq_app.redis_conn import get_redis

    log = app_server.dir / f"worker-{uuid.uuid4().hex[:6]}.log"
    suffix = f"ui-{uuid.uuid4().hex[:4]}"
    env = base_env(TRACEIQ_DATA_DIR=str(app_server.data_dir), REDIS_URL=app_server.redis.url,
                   TRACEIQ_MODE="development", TRACEIQ_HEARTBEAT_SECONDS="0.5",
                   TRACEIQ_MAINTENANCE_SECONDS="0.5")
    with open(log, "ab") as out:
        process = subprocess.Popen([str(BIN / "traceiq"), "worker", "--name-suffix", suffix], env=env,
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    running = AppWorker(process, log)
    wait_until(lambda: any(w.name.endswith(suffix) for w in Worker.all(connection=get_redis()))
               or process.poll() is not None, 90, interval=0.2, what="the worker to register")
    assert process.poll() is None, running.logs()[-3000:]
    yield running
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
