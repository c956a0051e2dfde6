"""`traceiq worker`: an RQ worker on TraceIQ's queues. Jobs live in the top-level `jobs` package.

`TraceIQWorker` executes jobs in its own process (like RQ's SimpleWorker) instead of forking a
work-horse per job: a forked horse would take the warm browser down with it after every test.
Consequences it handles itself:

- stop-job (RQ's `send_stop_job_command`) cannot kill a horse; it stops the running test
  cooperatively (`services.runs.test_watch.request_stop_current`), and the worker keeps running.
- SIGTERM (warm shutdown) lets the running test finish, then exits; a second SIGTERM hands
  the test back to the queue before exiting.
- A heartbeat thread refreshes the worker's own presence key in Redis every few seconds for the
  whole life of the process, idle or busy (`services.platform.health`, which `/api/health`
  counts); a killed worker's key expires within seconds.
- A maintenance thread runs the reaper / run timeouts / schedules / retention pass
  (`services.runs.reaper.run_locked_pass`, one process at a time through a Redis lock).
- When Redis goes away the worker waits for it and resumes instead of exiting.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import threading
import time
import uuid
from typing import Any

import redis
from rq import Queue, SimpleWorker

from traceiq_app.redis_conn import QUEUE_NAMES
from traceiq_app.services.observability import logs, metrics, tracing
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
        from traceiq_app.services.runs.test_watch import request_stop_current

        if request_stop_current("stopped by a stop-job command"):
            self.log.info("Worker %s: stopping the running test on request", self.name)

    def execute_job(self, job: Any, queue: Any) -> None:
        # In-process jobs block the work loop, which is what refreshes RQ's own worker heartbeat
        # (its registry drops stale workers): keep it fresh while a long test runs. Health does
        # not depend on it (see HeartbeatThread).
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

    @property
    def dequeue_timeout(self) -> int:
        # Wake up while idle often enough to close an idle browser on time (TRACEIQ_BROWSER_IDLE_SECONDS).
        idle = get_settings().browser_idle_seconds
        base = max(1, self.worker_ttl - 15)
        return base if idle <= 0 else max(1, min(base, int(idle / 2) or 1))

    def heartbeat(self, *args: Any, **kwargs: Any) -> Any:
        beat = super().heartbeat(*args, **kwargs)
        if threading.current_thread() is threading.main_thread():  # the idle loop (not keep_alive)
            from traceiq_app.services.runs.warm_engines import close_idle_browsers

            try:
                close_idle_browsers()
            except Exception:  # noqa: BLE001 - a browser that will not close is relaunched later
                self.log.warning("could not close the idle browser", exc_info=True)
        return beat

    def request_stop(self, signum: Any, frame: Any) -> None:
        TraceIQWorker.shutdown_requested = True
        super().request_stop(signum, frame)


class HeartbeatThread(threading.Thread):
    """Refreshes `traceiq:worker-alive:<name>` (with a TTL) every WORKER_BEAT_S seconds,
    independent of job execution, on its own Redis connection; a Redis outage only skips beats."""

    def __init__(self, name: str, redis_url: str) -> None:
        super().__init__(name="traceiq-worker-heartbeat", daemon=True)
        self.worker_name = name
        self.redis_url = redis_url
        self._stop_event = threading.Event()

    def run(self) -> None:
        from traceiq_app.services.platform.health import WORKER_BEAT_S, record_worker_alive

        client = redis.Redis.from_url(self.redis_url, socket_connect_timeout=1, socket_timeout=2)
        while True:
            try:
                record_worker_alive(client, self.worker_name)
            except (redis.RedisError, OSError) as exc:
                log.debug("worker heartbeat skipped, Redis unavailable: %s", exc)
            if self._stop_event.wait(WORKER_BEAT_S):
                break
        try:
            from traceiq_app.services.platform.health import forget_worker

            forget_worker(client, self.worker_name)
        except (redis.RedisError, OSError):
            pass
        client.close()

    def stop(self) -> None:
        self._stop_event.set()


class MaintenanceThread(threading.Thread):
    def __init__(self, period_s: float) -> None:
        super().__init__(name="traceiq-maintenance", daemon=True)
        self.period_s = period_s
        self._stop_event = threading.Event()

    def run(self) -> None:
        from traceiq_app.services.runs.reaper import run_locked_pass

        while not self._stop_event.wait(self.period_s):
            try:
                run_locked_pass(lease_s=max(3.0, self.period_s * 2))
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
    from traceiq_app.services.runs.warm_engines import engines

    try:
        engines().engine("chromium").check_browser()
    except Exception as exc:  # noqa: BLE001 - a missing browser is reported per test, with the reason
        log.warning("could not pre-launch chromium: %s", exc)


def _connection(url: str) -> redis.Redis:
    # The worker's own connection: RQ raises its socket timeout for blocking dequeues, which
    # must not leak into the shared client used for events and heartbeats.
    return redis.Redis.from_url(url, socket_connect_timeout=2, health_check_interval=30)


def run_worker(burst: bool = False, name_suffix: str | None = None) -> int:
    from traceiq_app.services.runs.warm_engines import close_engines

    settings = get_settings()
    logs.configure("worker")
    name = worker_name(name_suffix)
    metrics.enable()
    tracing.setup("traceiq-worker")  # only with OTEL_EXPORTER_OTLP_ENDPOINT
    if settings.worker_metrics_port:
        serve_metrics(settings.worker_metrics_port)
    problem = _secret_key_problem()
    if problem:
        log.error("worker %s cannot start: %s", name, problem)
        print(f"error: {problem}", file=sys.stderr)
        return 2
    heartbeat = HeartbeatThread(name, settings.redis_url_effective)
    heartbeat.start()
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
        heartbeat.stop()
        heartbeat.join(5)
        close_engines()
        tracing.shutdown()


def serve_metrics(port: int) -> None:
    """A worker machine's own /metrics (scale-out: no web node on this machine), in a thread."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from traceiq_app.api.observability.metrics import token_ok

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404)
                return
            if not token_ok(self.headers.get("Authorization")):
                self.send_error(401, "a valid metrics token is required")
                return
            body, content_type = metrics.scrape()
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    try:
        server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    except OSError as exc:  # another worker on this machine serves it already
        log.info("metrics port %d not served by this worker: %s", port, exc)
        return
    threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True).start()
    log.info("metrics on :%d/metrics", port)


def _secret_key_problem() -> str | None:
    from traceiq_app.services.catalog.environments import secret_key_problem

    try:
        return secret_key_problem()
    except Exception as exc:  # noqa: BLE001 - no database yet: the first job will say so
        log.warning("could not check the secret key against stored secrets: %s", exc)
        return None


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
