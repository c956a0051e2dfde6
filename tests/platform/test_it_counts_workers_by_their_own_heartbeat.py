"""Health counts a worker by the heartbeat of its own thread, idle or busy: an idle worker stays
alive long after its last job (RQ's own heartbeat of an idle worker comes every ~7 minutes), and
a SIGKILLed worker counts dead within the heartbeat's TTL, though RQ still lists it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import RedisServer, base_env, wait_until

pytestmark = pytest.mark.slow

DEAD_WITHIN_S = 15  # the heartbeat's TTL (services.platform.health.WORKER_ALIVE_TTL_S, 10 s) plus slack


@pytest.fixture
def env(tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    from traceiq_app.settings import reset_settings_cache

    monkeypatch.setenv("TRACEIQ_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    reset_settings_cache()
    return base_env(TRACEIQ_DATA_DIR=str(tmp_path / "data"), REDIS_URL=redis_server.url,
                    TRACEIQ_WARM_BROWSERS="false")


@pytest.fixture
def worker(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([sys.executable, "-m", "traceiq_app.cli", "worker"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield proc
    if proc.poll() is None:
        proc.terminate()
        proc.wait(15)


def _workers_component() -> tuple[bool, str]:
    from traceiq_app.services.platform.health import check_all

    workers = check_all()["workers"]
    return workers.ok, workers.detail


def test_it_counts_an_idle_worker_alive_long_after_it_started(env, worker) -> None:  # type: ignore[no-untyped-def]
    wait_until(lambda: _workers_component()[0], 60, interval=0.5, what="the worker to count alive")
    idle_until = time.monotonic() + 75  # past the 60 s the old check allowed an idle worker
    while time.monotonic() < idle_until:
        ok, detail = _workers_component()
        assert ok and detail == "1 alive", f"an idle, healthy worker counted dead: {detail}"
        time.sleep(5)


def test_it_counts_a_killed_worker_dead_within_the_heartbeat_ttl(env, worker) -> None:  # type: ignore[no-untyped-def]
    from rq import Worker

    from traceiq_app.redis_conn import get_redis

    wait_until(lambda: _workers_component()[0], 60, interval=0.5, what="the worker to count alive")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(10)
    killed_at = time.monotonic()
    wait_until(lambda: not _workers_component()[0], DEAD_WITHIN_S, interval=0.5, what="the killed worker to count dead")
    assert time.monotonic() - killed_at <= DEAD_WITHIN_S
    assert len(Worker.all(connection=get_redis())) == 1, "RQ still lists it: health must not rely on that"
