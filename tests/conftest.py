"""Shared fixtures. Feature-specific fixtures live next to their tests (tests/<area>/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import RedisServer


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    # Unix sockets have a ~107 byte path limit; pytest's tmp paths can be long.
    directory = Path(os.environ.get("TMPDIR", "/tmp")) / f"tiq-redis-{os.getpid()}-{os.urandom(3).hex()}"
    server = RedisServer(directory).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    """A real Chromium for tests that drive pages of the app (not a test's own engine run).

    It comes from the engine's BrowserPool: Playwright's sync API allows one driver per
    thread, and engine tests in the same xdist worker share it.
    """
    from traceiq_app.engine.browser import BrowserPool

    pool = BrowserPool()
    yield pool.get("chromium")
    pool.close()


@pytest.fixture(scope="session")
def app_server():
    """One running app (prod build) shared by the browser tests of a session.

    Tests using it must be marked `pytest.mark.xdist_group("app")` so they share one xdist
    worker (Reflex bakes the port into the build; one build per session keeps CI fast).
    `app_server.redis` is the private Redis it uses; there are no embedded workers.
    """
    from tests.support.app_server import AppServer

    directory = Path(os.environ.get("TMPDIR", "/tmp")) / f"tiq-app-redis-{os.getpid()}"
    redis = RedisServer(directory).start()
    server = AppServer(env={"REDIS_URL": redis.url, "GRANIAN_WORKERS": "2"}, workers=0)
    server.redis = redis  # type: ignore[attr-defined]
    yield server
    server.stop()
    print(server.logs()[-5000:])
    redis.stop()
    server.cleanup()
