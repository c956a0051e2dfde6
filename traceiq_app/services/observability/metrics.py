"""Prometheus metrics, correct across every process of a node (prometheus-client multiprocess mode).

Every process (web workers, RQ workers, the supervisor) writes its samples to files in one folder,
`TRACEIQ_METRICS_DIR` (default `<data>/run/metrics`); a scrape of `/metrics` (web node) or of a
worker machine's `TRACEIQ_WORKER_METRICS_PORT` merges them. So that a long-lived node with many
worker restarts still scrapes fast, `compact()` folds the counters and histograms of dead
processes into one archive file per type and deletes their files (gauges of dead processes are
dropped); the folder is wiped once when a node starts (`reset()`).

prometheus-client picks its storage when it is first imported, so nothing imports it at module
level here: `enable()` sets PROMETHEUS_MULTIPROC_DIR first. Recording never raises.

What is recorded, and where (docs/operations.md has the reference):
- runs, tests and steps from the live-event choke point (`observe_event`, called by
  `services.runs.live_events.publish`: every state change of a run passes there),
- HTTP requests by route template and status (`api/metrics_middleware.py`),
- queue depth, oldest queued test, workers total/busy at scrape time (`collect_queue`).
"""

from __future__ import annotations

import fcntl
import glob
import logging
import os
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger("traceiq.metrics")

DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900)
STEP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


def metrics_dir() -> Path:
    from traceiq_app.settings import get_settings

    settings = get_settings()
    return Path(settings.metrics_dir or (settings.data_dir / "run" / "metrics")).resolve()


def enable() -> Path:
    """Point this process (and the children it starts) at the node's metrics folder."""
    folder = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or metrics_dir())
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder


@contextmanager
def _locked(folder: Path):  # type: ignore[no-untyped-def]
    with open(folder.parent / f".{folder.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def reset(generation: str) -> None:
    """Wipe the folder once per node start: the first process of `generation` (e.g. the web
    server's master pid) to get here clears files left by an earlier run of the node."""
    folder = enable()
    marker = folder.parent / f".{folder.name}.generation"
    with _locked(folder):
        if marker.exists() and marker.read_text() == generation:
            return
        for path in folder.glob("*.db"):
            path.unlink(missing_ok=True)
        marker.write_text(generation)


@lru_cache(maxsize=1)
def _metrics() -> dict[str, Any]:
    enable()
    from prometheus_client import Counter, Histogram

    return {
        "runs_started": Counter("traceiq_runs_started_total", "Runs started", ["trigger"]),
        "runs_finished": Counter("traceiq_runs_finished_total", "Runs finished", ["status", "trigger"]),
        "tests_finished": Counter("traceiq_tests_finished_total", "Test attempts finished", ["status", "browser"]),
        "test_duration": Histogram("traceiq_test_duration_seconds", "Duration of test attempts", ["browser"],
                                   buckets=DURATION_BUCKETS),
        "step_duration": Histogram("traceiq_step_duration_seconds", "Duration of steps", ["action", "status"],
                                   buckets=STEP_BUCKETS),
        "http": Histogram("traceiq_http_request_duration_seconds", "HTTP requests by route template",
                          ["method", "route", "status"], buckets=HTTP_BUCKETS),
        "errors": Counter("traceiq_backend_errors_total", "Database and Redis errors", ["backend"]),
        "live_delivery": Histogram("traceiq_live_event_delivery_seconds",
                                   "Live event publish to page delivery latency", buckets=STEP_BUCKETS),
    }


def _safe(record: Any) -> None:
    try:
        record()
    except Exception as exc:  # noqa: BLE001 - metrics never break the work they describe
        log.debug("metric not recorded: %s", exc)


def observe_event(run_id: Any, type_: str, data: dict[str, Any]) -> None:
    """Count a run's state changes as they are published (runs, tests, steps)."""
    def record() -> None:
        m = _metrics()
        if type_ == "run.queued":
            m["runs_started"].labels(trigger=str(data.get("trigger") or "unknown")).inc()
        elif type_ == "run.finished":
            m["runs_finished"].labels(status=str(data.get("status")), trigger=_trigger_of(run_id)).inc()
        elif type_ == "test.finished":
            browser = str(data.get("browser") or "unknown")
            m["tests_finished"].labels(status=str(data.get("status")), browser=browser).inc()
            if data.get("duration_ms") is not None:
                m["test_duration"].labels(browser=browser).observe(float(data["duration_ms"]) / 1000)
        elif type_ == "step.finished" and data.get("duration_ms") is not None:
            m["step_duration"].labels(action=str(data.get("action")), status=str(data.get("status"))).observe(
                float(data["duration_ms"]) / 1000)
    _safe(record)


def _trigger_of(run_id: Any) -> str:
    import uuid

    from traceiq_app.db import session_scope
    from traceiq_app.models import Run

    with session_scope() as session:
        run = session.get(Run, uuid.UUID(str(run_id)))
        return str(run.trigger.value) if run is not None else "unknown"


def observe_http(method: str, route: str, status: int, seconds: float) -> None:
    _safe(lambda: _metrics()["http"].labels(method=method, route=route, status=str(status)).observe(seconds))


def count_error(backend: str) -> None:
    _safe(lambda: _metrics()["errors"].labels(backend=backend).inc())


def observe_live_delivery(seconds: float) -> None:
    _safe(lambda: _metrics()["live_delivery"].observe(max(seconds, 0.0)))


# ---- dead processes --------------------------------------------------------------------------
def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def compact() -> int:
    """Fold the counter/histogram files of dead processes into `<type>_archive.db`, drop their
    gauge files. Returns how many files went away."""
    enable()
    from prometheus_client.mmap_dict import MmapedDict

    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    removed = 0
    with _locked(folder):
        archives: dict[str, Any] = {}
        try:
            for path in map(Path, glob.glob(str(folder / "*.db"))):
                parts = path.stem.split("_")
                pid_text = parts[-1]
                if not pid_text.isdigit() or int(pid_text) == os.getpid() or _alive(int(pid_text)):
                    continue
                kind = parts[0]
                if kind in ("counter", "histogram", "summary"):
                    archive = archives.get(kind)
                    if archive is None:
                        archive = archives[kind] = MmapedDict(str(folder / f"{kind}_archive.db"))
                    for key, value, timestamp, _ in MmapedDict.read_all_values_from_file(str(path)):
                        previous, _ = archive.read_value(key)
                        archive.write_value(key, previous + value, timestamp)
                path.unlink(missing_ok=True)
                removed += 1
        finally:
            for archive in archives.values():
                archive.close()
    return removed


def scrape() -> tuple[bytes, str]:
    """The node's metrics in the Prometheus text format (merges every process's files)."""
    enable()
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    compact()
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=os.environ["PROMETHEUS_MULTIPROC_DIR"])
    registry.register(_QueueCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _QueueCollector:
    """Read at scrape time from RQ/Redis: queue depth, oldest queued test, workers total/busy."""

    def collect(self):  # type: ignore[no-untyped-def]
        from prometheus_client.core import GaugeMetricFamily

        try:
            from rq import Worker

            from traceiq_app.redis_conn import get_redis
            from traceiq_app.services.runs.orchestration import queue

            connection = get_redis()
            q = queue(connection)
            depth = q.count
            oldest = 0.0
            first = q.job_ids[:1]
            if first:
                job = q.fetch_job(first[0])
                if job is not None and job.enqueued_at is not None:
                    oldest = max(0.0, time.time() - job.enqueued_at.timestamp())
            workers = Worker.all(connection=connection)
            busy = sum(1 for w in workers if w.get_state() == "busy")
        except Exception as exc:  # noqa: BLE001 - Redis down: the scrape still answers
            count_error("redis")
            log.debug("queue metrics unavailable: %s", exc)
            return
        yield GaugeMetricFamily("traceiq_queue_depth", "Tests waiting in the queue", value=depth)
        yield GaugeMetricFamily("traceiq_queue_oldest_seconds", "Age of the oldest queued test", value=oldest)
        workers_family = GaugeMetricFamily("traceiq_workers", "RQ workers by state", labels=["state"])
        workers_family.add_metric(["total"], len(workers))
        workers_family.add_metric(["busy"], busy)
        yield workers_family

