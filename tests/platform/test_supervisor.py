"""The embedded-mode supervisor: Redis child, RQ workers, restarts, one per data folder, no orphans."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import redis
from rq import Worker

from tests.support.processes import base_env, wait_until

pytestmark = pytest.mark.slow


def _start(data_dir: Path, workers: int = 2, **extra: str) -> subprocess.Popen[bytes]:
    env = base_env(TRACEIQ_DATA_DIR=str(data_dir), TRACEIQ_WORKERS=str(workers), **extra)
    return subprocess.Popen([sys.executable, "-m", "traceiq_app.processes.supervisor"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _children(proc: subprocess.Popen[bytes]) -> list[psutil.Process]:
    try:
        return psutil.Process(proc.pid).children(recursive=False)
    except psutil.NoSuchProcess:
        return []


def _is_live_worker(child: psutil.Process) -> bool:
    try:
        return child.status() != psutil.STATUS_ZOMBIE and "worker" in " ".join(child.cmdline())
    except psutil.Error:
        return False


def _worker_children(proc: subprocess.Popen[bytes]) -> list[psutil.Process]:
    return [c for c in _children(proc) if _is_live_worker(c)]


def _registered_workers(data_dir: Path) -> int:
    url = f"unix://{data_dir.resolve()}/redis/redis.sock"
    try:
        return len(Worker.all(connection=redis.Redis.from_url(url, socket_connect_timeout=0.2)))
    except (redis.RedisError, OSError):
        return 0


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Short path: the embedded Redis listens on a unix socket inside it (~107 byte limit).
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tiq-") as tmp:
        yield Path(tmp)


@pytest.fixture
def supervisor(data_dir: Path) -> Iterator[subprocess.Popen[bytes]]:
    proc = _start(data_dir)
    wait_until(lambda: _registered_workers(data_dir) == 2, 30, what="2 registered RQ workers")
    yield proc
    if proc.poll() is None:
        proc.terminate()
        proc.wait(30)


def test_it_starts_redis_with_persistence_and_the_configured_workers(supervisor, data_dir: Path) -> None:
    names = sorted(c.name() for c in _children(supervisor))
    assert names.count("redis-server") == 1
    assert len(_worker_children(supervisor)) == 2
    # Persistence on: an append-only file appears in the data folder.
    assert wait_until(lambda: list((data_dir / "redis").rglob("*.aof*")), 10, what="AOF files")
    # Redis listens on no TCP port (6379 may belong to someone else).
    redis_proc = next(c for c in _children(supervisor) if c.name() == "redis-server")
    assert not [c for c in redis_proc.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN]


def test_it_restarts_a_killed_worker_within_5_seconds(supervisor, data_dir: Path) -> None:
    victim = _worker_children(supervisor)[0]
    victim.send_signal(signal.SIGKILL)
    started = time.monotonic()
    wait_until(lambda: len(_worker_children(supervisor)) == 2 and victim.pid not in [c.pid for c in _worker_children(supervisor)],
               5, what="a replacement worker process")
    replacement = next(c for c in _worker_children(supervisor) if c.create_time() >= victim.create_time() and c.pid != victim.pid)
    # ... and it really serves the queue: it registers with Redis under its own pid.
    wait_until(lambda: any(str(replacement.pid) in w.name for w in Worker.all(connection=redis.Redis.from_url(
        f"unix://{data_dir.resolve()}/redis/redis.sock"))), 5, what="the replacement worker to register")
    assert time.monotonic() - started < 5


def test_it_leaves_no_process_behind_after_sigterm(supervisor) -> None:
    descendants = psutil.Process(supervisor.pid).children(recursive=True)
    assert len(descendants) >= 3
    supervisor.send_signal(signal.SIGTERM)
    assert supervisor.wait(30) == 0
    gone, alive = psutil.wait_procs(descendants, timeout=10)
    assert alive == []


def test_it_leaves_no_process_behind_after_sigint(supervisor) -> None:
    descendants = psutil.Process(supervisor.pid).children(recursive=True)
    supervisor.send_signal(signal.SIGINT)
    supervisor.wait(30)
    _, alive = psutil.wait_procs(descendants, timeout=10)
    assert alive == []


def test_it_runs_only_one_supervisor_per_data_folder(supervisor, data_dir: Path) -> None:
    second = _start(data_dir)
    assert second.wait(20) == 0
    assert b"another supervisor already runs" in (second.stdout.read() if second.stdout else b"")
    assert len(_worker_children(supervisor)) == 2


def test_it_stops_everything_when_the_web_process_that_started_it_dies(data_dir: Path) -> None:
    # A stand-in web process that spawns the supervisor exactly as the Reflex lifespan does.
    code = ("import time; from traceiq_app.settings import get_settings; from traceiq_app.processes import supervisor;"
            "p = supervisor.spawn(get_settings()); print(p.pid, flush=True); time.sleep(120)")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                              env=base_env(TRACEIQ_DATA_DIR=str(data_dir), TRACEIQ_WORKERS="1"))
    assert parent.stdout is not None
    sup_pid = int(parent.stdout.readline())
    wait_until(lambda: _registered_workers(data_dir) == 1, 30, what="the worker")
    descendants = [psutil.Process(sup_pid), *psutil.Process(sup_pid).children(recursive=True)]
    parent.kill()  # SIGKILL: no cleanup code in the parent runs
    parent.wait()
    _, alive = psutil.wait_procs(descendants, timeout=20)
    assert alive == []
