"""The maintenance pass: what keeps runs finishing when processes die or Redis forgets.

- Lost workers: a running test whose heartbeat key has been missing for
  TRACEIQ_WORKER_LOST_SECONDS (seen missing by two passes that far apart, so a Redis restart,
  which drops every heartbeat for a moment, does not count) ends as *error* "worker lost",
  which retries it elsewhere when the run has retries left. Its recorded steps stay.
- Run timeouts: a run still open `timeout_s` after it was created ends *timed_out*.
- Vanished jobs: a queued test whose RQ job Redis no longer has (restart without
  persistence, failed enqueue) is enqueued again.
- Schedules that are due fire; artifact retention runs every TRACEIQ_RETENTION_INTERVAL_MINUTES.

`maintenance_pass` is run by every worker's maintenance thread under a Redis lock (one at a
time); every step is also safe to run concurrently (conditional updates in the database).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from redis.exceptions import LockError
from rq.job import Job
from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import Run, RunStatus, TestResult, TestResultStatus, utcnow
from traceiq_app.redis_conn import get_redis
from traceiq_app.services.runs import orchestration
from traceiq_app.services.runs import results as run_results
from traceiq_app.settings import get_settings

log = logging.getLogger(__name__)

LOCK_KEY = "traceiq:lock:maintenance"
RETENTION_KEY = "traceiq:maintenance:retention"


def _suspect_key(kind: str, ident: uuid.UUID | str) -> str:
    return f"traceiq:suspect:{kind}:{ident}"


def _suspected_for(client: redis.Redis, kind: str, ident: uuid.UUID | str, now_s: float) -> float:
    """Seconds since this thing was first seen missing (0 the first time)."""
    key = _suspect_key(kind, ident)
    client.set(key, repr(now_s), nx=True, ex=3600)
    first: Any = client.get(key)
    try:
        return now_s - float(first or now_s)
    except ValueError:
        return 0.0


def _clear_suspect(client: redis.Redis, kind: str, ident: uuid.UUID | str) -> None:
    client.delete(_suspect_key(kind, ident))


@dataclass
class PassReport:
    lost: list[uuid.UUID] = field(default_factory=list)
    timed_out: list[uuid.UUID] = field(default_factory=list)
    requeued: list[uuid.UUID] = field(default_factory=list)
    fired: list[uuid.UUID] = field(default_factory=list)
    purged: int = 0
    purged_runs: int = 0
    notifications: int = 0  # notification deliveries queued for a (re)try


def reap_lost_tests(client: redis.Redis | None = None, now_s: float | None = None) -> list[uuid.UUID]:
    client = client or get_redis()
    now_s = time.time() if now_s is None else now_s
    lost_after = get_settings().worker_lost_seconds
    with session_scope() as session:
        running = list(session.exec(select(TestResult.id, TestResult.worker_id, TestResult.started_at).where(
            TestResult.status == TestResultStatus.running)).all())
    lost: list[uuid.UUID] = []
    for test_result_id, worker_id, started_at in running:
        if client.exists(orchestration.heartbeat_key(test_result_id)):
            _clear_suspect(client, "test", test_result_id)
            continue
        missing_for = _suspected_for(client, "test", test_result_id, now_s)
        if missing_for < lost_after:
            continue
        last_alive = last_sign_of_life(client, test_result_id, started_at)
        silent_s = max(int(now_s - last_alive.timestamp()), int(missing_for)) if last_alive else int(missing_for)
        outcome = run_results.finish_attempt(
            test_result_id, TestResultStatus.error,
            error=f"worker lost: no heartbeat from {worker_id or 'its worker'} for {silent_s} s",
            duration_ms=_duration_ms(started_at, last_alive),
            only_if_worker=worker_id,
        )
        _clear_suspect(client, "test", test_result_id)
        if outcome is not None:
            log.warning("test %s: worker %s lost", test_result_id, worker_id)
            lost.append(test_result_id)
    return lost


def last_sign_of_life(client: redis.Redis, test_result_id: uuid.UUID, started_at: datetime | None) -> datetime | None:
    """The later of the attempt's last heartbeat and its last recorded step (its start if
    neither): a lost attempt's duration ends there, not when the reaper noticed."""
    from sqlmodel import func

    from traceiq_app.models import StepResult

    moments = [started_at] if started_at else []
    try:
        raw: Any = client.get(orchestration.last_beat_key(test_result_id))
        if raw:
            moments.append(datetime.fromtimestamp(float(raw), tz=UTC))
    except (redis.RedisError, OSError, ValueError):
        pass
    with session_scope() as session:
        last_step = session.exec(select(func.max(StepResult.finished_at)).where(
            StepResult.test_result_id == test_result_id)).first()
    if last_step is not None:
        moments.append(last_step if last_step.tzinfo else last_step.replace(tzinfo=UTC))
    moments = [m if m.tzinfo else m.replace(tzinfo=UTC) for m in moments]
    return max(moments) if moments else None


def _duration_ms(started_at: datetime | None, last_alive: datetime | None) -> int | None:
    if started_at is None or last_alive is None:
        return None
    started = started_at if started_at.tzinfo else started_at.replace(tzinfo=UTC)
    return max(0, int((last_alive - started).total_seconds() * 1000))


def time_out_runs(now: datetime | None = None) -> list[uuid.UUID]:
    from traceiq_app.services.runs.control import cancel_run

    now = now or utcnow()
    with session_scope() as session:
        open_runs = list(session.exec(select(Run.id, Run.created_at, Run.timeout_s).where(
            col(Run.status).in_([RunStatus.queued.value, RunStatus.running.value]))).all())
    expired = [run_id for run_id, created, timeout_s in open_runs if created + timedelta(seconds=timeout_s) <= now]
    for run_id in expired:
        cancel_run(run_id, status=RunStatus.timed_out, reason="run timed out")
    return expired


def requeue_vanished_jobs(client: redis.Redis | None = None, now_s: float | None = None,
                          grace_s: float = 5.0) -> list[uuid.UUID]:
    client = client or get_redis()
    now_s = time.time() if now_s is None else now_s
    with session_scope() as session:
        queued = list(session.exec(select(TestResult.id, TestResult.rq_job_id).where(
            TestResult.status == TestResultStatus.queued, col(TestResult.rq_job_id).is_not(None))).all())
    with client.pipeline(transaction=False) as pipe:
        for _test_result_id, job_id in queued:
            pipe.exists(Job.key_for(str(job_id)))
        exists = pipe.execute() if queued else []
    vanished = []
    for (test_result_id, _job_id), present in zip(queued, exists, strict=True):
        if present:
            _clear_suspect(client, "job", test_result_id)
            continue
        if _suspected_for(client, "job", test_result_id, now_s) >= grace_s:
            vanished.append(test_result_id)
            _clear_suspect(client, "job", test_result_id)
    if vanished:
        log.warning("re-enqueueing %d test(s) whose queue jobs vanished", len(vanished))
        orchestration.requeue_vanished(vanished)
    return vanished


def _ignore(_value: object) -> None:
    return None


def maintenance_pass(now: datetime | None = None, clock: Callable[[], datetime] = utcnow,
                     client: redis.Redis | None = None) -> PassReport:
    """One pass of everything above. Each part is isolated: one failing does not stop others."""
    from traceiq_app.services.analytics import quarantine
    from traceiq_app.services.notifications.deliveries import sweep as notify_sweep
    from traceiq_app.services.runs import retention, schedules

    client = client or get_redis()
    now = now or clock()
    report = PassReport()
    parts: list[tuple[str, Callable[[], None]]] = [
        ("reaper", lambda: report.lost.extend(reap_lost_tests(client))),
        ("timeouts", lambda: report.timed_out.extend(time_out_runs(now))),
        ("vanished jobs", lambda: report.requeued.extend(requeue_vanished_jobs(client))),
        ("schedules", lambda: report.fired.extend(schedules.fire_due_schedules(now))),
        ("quarantine expiry", lambda: _ignore(quarantine.expire_due(now))),
        ("notifications", lambda: setattr(report, "notifications", notify_sweep(now))),
    ]
    for name, part in parts:
        try:
            part()
        except Exception:  # noqa: BLE001 - keep the other parts (and the worker) going
            log.exception("maintenance: %s failed", name)
    try:
        interval = int(get_settings().retention_interval_minutes * 60)
        if client.set(RETENTION_KEY, "1", nx=True, ex=max(interval, 1)):
            swept = retention.sweep(now, dry_run=False)
            report.purged, report.purged_runs = swept.artifacts, swept.runs
    except Exception:  # noqa: BLE001
        log.exception("maintenance: retention failed")
    return report


def run_locked_pass(client: redis.Redis | None = None, lease_s: float = 5.0) -> PassReport | None:
    """`maintenance_pass` if no other process is running one.

    The lock is a short lease (redis-py's token lock) that a keeper thread renews while the
    pass runs, so a long pass keeps it, and a worker killed in the middle of a pass holds it
    for at most `lease_s`: the others' next pass (and with it the lost-worker reaper) is not
    held up for longer than that.
    """
    client = client or get_redis()
    lock = client.lock(LOCK_KEY, timeout=lease_s, blocking=False, thread_local=False)
    if not lock.acquire():
        return None
    done = threading.Event()

    def keep() -> None:
        while not done.wait(lease_s / 3):
            try:
                lock.reacquire()
            except LockError:  # expired and taken by another process: ours is no longer
                return
            except (redis.RedisError, OSError):
                continue

    keeper = threading.Thread(target=keep, name="traceiq-maintenance-lease", daemon=True)
    keeper.start()
    try:
        return maintenance_pass(client=client)
    finally:
        done.set()
        keeper.join()
        with contextlib.suppress(LockError):  # only our own token: it may have expired and been taken
            lock.release()
