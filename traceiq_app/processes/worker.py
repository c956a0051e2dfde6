"""`traceiq worker`: an RQ worker on TraceIQ's queues. Jobs live in the top-level `jobs` package.

`TraceIQWorker` executes jobs in its own process (like RQ's SimpleWorker) instead of forking a
work-horse per job: a forked horse would take the warm browser down with it after every test.
Consequences it handles itself:

- stop-job (RQ's `send_stop_job_command`) cannot kill a horse; it stops the running test
  cooperatively (`services.runs.execution.request_stop_current`), and the worker keeps running.
- SIGTERM (warm shutdown) lets the running test finish, then exits; a second SIGTERM hands
  the test back to the queue before exiting.
- A maintenance thread runs the reaper / run timeouts / schedules / retention pass
  (`services.runs.reaper.run_locked_pass`, one process at a time through a Redis lock).
- When Redis goes away the worker waits for it and resumes instead of exiting.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from typing import Any

import redis
from rq import Queue, SimpleWorker

from traceiq_app.redis_conn import QUEUE_NAMES
from traceiq_app.settings import get_settings

log = logging.getLogger("traceiq.worker")

WORKER_HEARTBEAT_SECONDS = 10.0


def worker_name(suffix: str | None = None) -> str:
    base = f"{socket.gethostname()}.{os.getpid()}"
    return f"{base}.{suffix}" if suffix else f"{base}.{uuid.uuid4().hex[:6]}"


class TraceIQWorker(SimpleWorker):
    """In-process job execution with a warm browser (see the module docstring)."""

    shutdown_requested = False

    def kill_horse(self, sig: Any = None) -> None:
        # RQ calls this for the stop-job command: there is no horse, stop the test instead.
        from traceiq_app.services.runs.execution import request_stop_current

        if request_stop_current("stopped by a stop-job command"):
            self.log.info("Worker %s: stopping the running test on request", self.name)

    def execute_job(self, job: Any, queue: Any) -> None:
        # In-process jobs block the work loop, which is what refreshes the worker's heartbeat
        # (`/api/health` counts workers by it): keep it fresh while a long test runs.
        done = threading.Event()

        def keep_alive() -> None:
            while not done.wait(WORKER_HEARTBEAT_SECONDS):
                try:
                    self.heartbeat()
                except Exception:  # noqa: BLE001 - Redis hiccup: the next beat retries
                    self.log.debug("worker heartbeat failed", exc_info=True)

        beater = threading.Thread(target=keep_alive, name="traceiq-worker-heartbeat", daemon=True)
        beater.start()
        try:
            super().execute_job(job, queue)
        finally:
            done.set()

    def request_stop(self, signum: Any, frame: Any) -> None:
        TraceIQWorker.shutdown_requested = True
        super().request_stop(signum, frame)


class MaintenanceThread(threading.Thread):
    def __init__(self, period_s: float) -> None:
        super().__init__(name="traceiq-maintenance", daemon=True)
        self.period_s = period_s
        self._stop_event = threading.Event()

    def run(self) -> None:
        from traceiq_app.services.runs.reaper import run_locked_pass

        while not self._stop_event.wait(self.period_s):
            try:
                run_locked_pass(lock_ttl_s=max(30.0, self.period_s * 5))
            except (redis.RedisError, OSError) as exc:
                log.info("maintenance skipped, Redis unavailable: %s", exc)
            except Exception:  # noqa: BLE001 - never let upkeep kill the worker
                log.exception("maintenance pass failed")

    def stop(self) -> None:
        self._stop_event.set()


def _warm_up() -> None:
    """Launch Chromium before the first job so that job starts on a warm browser."""
    settings = get_settings()
    if not settings.warm_browsers:
        return
    from traceiq_app.services.runs.execution import engines

    try:
        engines().engine("chromium").check_browser()
    except Exception as exc:  # noqa: BLE001 - a missing browser is reported per test, with the reason
        log.warning("could not pre-launch chromium: %s", exc)


def _connection(url: str) -> redis.Redis:
    # The worker's own connection: RQ raises its socket timeout for blocking dequeues, which
    # must not leak into the shared client used for events and heartbeats.
    return redis.Redis.from_url(url, socket_connect_timeout=2, health_check_interval=30)


def run_worker(burst: bool = False, name_suffix: str | None = None) -> int:
    from traceiq_app.services.runs.execution import close_engines

    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    name = worker_name(name_suffix)
    maintenance = MaintenanceThread(settings.maintenance_seconds)
    maintenance.start()
    _warm_up()
    try:
        while True:
            connection = _connection(settings.redis_url_effective)
            try:
                queues = [Queue(q, connection=connection) for q in QUEUE_NAMES]
                worker = TraceIQWorker(queues, connection=connection, name=name)
                _forget_stale_registration(worker)
                # No RQ scheduler process: retries and periodic work are ours (see services.runs.reaper).
                worker.work(burst=burst, with_scheduler=False, logging_level="INFO")
            except (redis.RedisError, OSError) as exc:
                log.warning("worker %s lost Redis: %s", name, exc)
            except ValueError as exc:
                if "active worker" not in str(exc):
                    raise
                # Redis came back (with its data) between our check and RQ's: clear and go on.
                log.warning("worker %s: %s; registering again", name, exc)
                with contextlib.suppress(redis.RedisError, OSError):
                    worker.register_death()
            if burst or TraceIQWorker.shutdown_requested:
                return 0
            # work() returned without a stop request: Redis went away. Wait and resume.
            log.warning("worker %s: reconnecting to Redis", name)
            _wait_for_redis(settings.redis_url_effective)
    finally:
        maintenance.stop()
        close_engines()


def _forget_stale_registration(worker: TraceIQWorker) -> None:
    """A Redis that persists its data (AOF/RDB) comes back still holding this worker's key
    from before the outage, and RQ refuses to register a name that looks alive ("There exists
    an active worker named ... already"). The name embeds our pid, so the key is ours: mark our
    previous incarnation dead, then register afresh under the same name (running tests are
    claimed under it)."""
    if worker.connection.exists(worker.key) and not worker.connection.hexists(worker.key, "death"):
        log.warning("worker %s: clearing its registration from before the Redis restart", worker.name)
        worker.register_death()


def _wait_for_redis(url: str) -> None:
    while not TraceIQWorker.shutdown_requested:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
            return
        except (redis.RedisError, OSError):
            time.sleep(0.5)
