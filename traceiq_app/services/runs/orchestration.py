"""Moving a run's tests through the queue: enqueueing (respecting the run's parallelism),
claiming a test in a worker, handing it back, and the Redis keys workers share (stop
signals, heartbeats).

The database is the truth. A test result is claimed by a conditional UPDATE
(`queued -> running`), so a job that RQ delivers twice, or one re-enqueued after Redis lost
it, runs the test at most once.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis
import sqlalchemy as sa
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import Project, Run, RunStatus, TestResult, TestResultStatus, utcnow
from traceiq_app.redis_conn import QUEUE_NAMES, get_redis
from traceiq_app.services.observability import tracing
from traceiq_app.services.runs import live_events

log = logging.getLogger(__name__)

RUN_TEST_JOB = "jobs.run_test.run_test"
JOB_TIMEOUT_MARGIN_S = 120  # RQ's own hard limit, above the engine's test timeout
STOP_KEY_TTL_S = 24 * 3600


def queue(connection: redis.Redis | None = None) -> Queue:
    return Queue(QUEUE_NAMES[0], connection=connection or get_redis())


def stop_key(run_id: uuid.UUID | str) -> str:
    return f"traceiq:run:{run_id}:stop"


def heartbeat_key(test_result_id: uuid.UUID | str) -> str:
    return f"traceiq:test:{test_result_id}:heartbeat"


def last_beat_key(test_result_id: uuid.UUID | str) -> str:
    """When the running test's worker last beat (epoch seconds); outlives the heartbeat so
    the reaper can end a lost attempt's duration there."""
    return f"traceiq:test:{test_result_id}:last-beat"


LAST_BEAT_TTL_S = 24 * 3600


def lock_run(session: Session, run_id: uuid.UUID) -> None:
    """Serialize changes to one run: a no-op UPDATE takes the row lock on Postgres and the
    write lock on SQLite (so it must be the first statement of the transaction there)."""
    session.execute(sa.update(Run).where(col(Run.id) == run_id).values(status=Run.status))


# ---- enqueueing --------------------------------------------------------------------------
def _job_timeout(definition: dict[str, Any]) -> int:
    return int(definition.get("timeout_ms", 30_000) / 1000) + JOB_TIMEOUT_MARGIN_S


def dispatch(run_id: uuid.UUID) -> list[uuid.UUID]:
    """Enqueue the run's pending tests (queued, not yet in RQ) in execution order, up to the
    run's parallelism minus what is already queued or running. Returns the enqueued ids."""
    chosen: list[tuple[uuid.UUID, str, int, bool]] = []
    with session_scope() as session:
        lock_run(session, run_id)
        run = session.get(Run, run_id)
        if run is None or RunStatus(run.status).is_final:
            return []
        open_rows = list(session.exec(
            select(TestResult).where(
                TestResult.run_id == run_id,
                col(TestResult.status).in_([TestResultStatus.queued.value, TestResultStatus.running.value]),
            ).order_by(col(TestResult.id))
        ).all())
        in_flight = sum(1 for r in open_rows if r.status == TestResultStatus.running or r.rq_job_id)
        free = run.parallelism - in_flight
        # Retries first: a retried attempt must not wait behind the run's not-yet-started tests.
        for row in sorted(open_rows, key=lambda r: r.attempt == 1):
            if free <= 0:
                break
            if row.status == TestResultStatus.queued and not row.rq_job_id:
                row.rq_job_id = uuid.uuid4().hex
                chosen.append((row.id, row.rq_job_id, _job_timeout(row.definition), row.attempt > 1))
                free -= 1
    _enqueue(chosen)
    return [c[0] for c in chosen]


def _enqueue(jobs: Iterable[tuple[uuid.UUID, str, int, bool]]) -> None:
    """(test result id, job id, timeout, at front): retries go to the front of the RQ queue,
    ahead of tests already enqueued (of this run and of others), in the order given."""
    jobs = list(jobs)
    if not jobs:
        return
    # RQ's at_front pushes to the head one job at a time: push retries in reverse to keep order.
    ordered = [j for j in jobs if not j[3]] + list(reversed([j for j in jobs if j[3]]))
    try:
        with tracing.span("rq.enqueue", {"messaging.system": "rq", "messaging.operation": "publish",
                                         "messaging.batch.message_count": len(ordered)}, kind="PRODUCER"):
            carrier = tracing.inject()  # the worker's job span continues this trace
            meta = {tracing.META_KEY: carrier} if carrier else None
            q = queue()
            with q.connection.pipeline() as pipe:
                for test_result_id, job_id, timeout, at_front in ordered:
                    q.enqueue(RUN_TEST_JOB, str(test_result_id), job_id=job_id, job_timeout=timeout,
                              result_ttl=600, failure_ttl=24 * 3600, description=f"test {test_result_id}",
                              at_front=at_front, pipeline=pipe, meta=meta)
                pipe.execute()
    except (redis.RedisError, OSError) as exc:
        # The rows keep their job ids; the reaper re-enqueues jobs Redis does not know.
        log.warning("could not enqueue %d test(s): %s", len(jobs), exc)


def remove_jobs(job_ids: Iterable[str]) -> None:
    """Take queued jobs out of the queue (best effort: claims guard against stragglers)."""
    try:
        conn = get_redis()
        q = queue(conn)
        for job_id in job_ids:
            q.remove(job_id)
            with contextlib.suppress(NoSuchJobError):
                Job.fetch(job_id, connection=conn).delete()
    except (redis.RedisError, OSError) as exc:
        log.warning("could not remove queued jobs: %s", exc)


def requeue_vanished(test_result_ids: Iterable[uuid.UUID]) -> int:
    """Forget the job ids of queued tests whose RQ job no longer exists, then dispatch again."""
    ids = list(test_result_ids)
    if not ids:
        return 0
    runs: set[uuid.UUID] = set()
    with session_scope() as session:
        for row in session.exec(select(TestResult).where(col(TestResult.id).in_(ids))).all():
            if row.status == TestResultStatus.queued:
                row.rq_job_id = None
                runs.add(row.run_id)
    for run_id in runs:
        dispatch(run_id)
    return len(ids)


def job_exists(job_id: str) -> bool:
    return bool(get_redis().exists(Job.key_for(job_id)))


# ---- stop signals --------------------------------------------------------------------------
def signal_stop(run_id: uuid.UUID, reason: str) -> None:
    try:
        get_redis().set(stop_key(run_id), reason, ex=STOP_KEY_TTL_S)
    except (redis.RedisError, OSError) as exc:
        log.warning("could not signal run %s to stop: %s", run_id, exc)


def stop_reason(run_id: uuid.UUID | str, client: redis.Redis | None = None) -> str | None:
    value = (client or get_redis()).get(stop_key(run_id))
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


# ---- claiming ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClaimedTest:
    test_result_id: uuid.UUID
    run_id: uuid.UUID
    project_id: uuid.UUID
    environment_id: uuid.UUID | None
    test_case_id: uuid.UUID | None
    test_name: str
    browser: str
    attempt: int
    definition: dict[str, Any]
    allowed_hosts: list[str]  # the org's and the project's lists together (network_policy)
    run_started: bool  # this claim moved the run from queued to running
    allow_link_local: bool = False
    deny_private: bool = False
    video: str = "off"  # the run's video mode: off / failures / on


def claim(test_result_id: uuid.UUID, worker_name: str | None) -> ClaimedTest | None:
    """queued -> running, once. None when the test is gone, already claimed, or its run ended.

    The run's own queued -> running happens here too, once: concurrent claims of a run's first
    tests race on a conditional UPDATE of the run (on Postgres the loser waits for the row lock,
    re-checks the WHERE and updates nothing). Locks are taken run first, then test, the order
    `finish_attempt`, `dispatch` and `cancel_run` use, so claims never deadlock with them."""
    now = utcnow()
    with session_scope() as session:
        run_id = session.exec(select(TestResult.run_id).where(TestResult.id == test_result_id)).first()
        if run_id is None:
            return None
        started = session.execute(
            sa.update(Run)
            .where(col(Run.id) == run_id, col(Run.status) == RunStatus.queued.value)
            .values(status=RunStatus.running.value, started_at=now)
        )
        run_started = started.rowcount == 1  # type: ignore[attr-defined]
        updated = session.execute(
            sa.update(TestResult)
            .where(col(TestResult.id) == test_result_id, col(TestResult.status) == TestResultStatus.queued.value)
            .values(status=TestResultStatus.running.value, started_at=now, worker_id=worker_name)
        )
        if updated.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()  # not ours: the run stays as it was
            return None
        result = session.get(TestResult, test_result_id)
        run = session.get(Run, run_id)
        assert result is not None and run is not None
        if RunStatus(run.status).is_final:  # cancelled while the job sat in the queue
            result.status = TestResultStatus.cancelled
            result.finished_at = now
            result.error = f"run {run.status}"
            return None
        project = session.get(Project, run.project_id)
        from traceiq_app.services.runs.network_policy import network_policy_for

        policy = network_policy_for(project, session) if project else None
        return ClaimedTest(
            test_result_id=result.id, run_id=run.id, project_id=run.project_id,
            environment_id=run.environment_id, test_case_id=result.test_case_id,
            test_name=result.test_name, browser=str(result.browser), attempt=result.attempt,
            definition=dict(result.definition or {}),
            allowed_hosts=list(policy.allowed_hosts or []) if policy else [],
            run_started=run_started,
            allow_link_local=policy.allow_link_local if policy else False,
            deny_private=policy.deny_private if policy else False,
            video=str(run.video or "off"),
        )


def hand_back(test_result_id: uuid.UUID) -> None:
    """A worker that must stop mid-test (forced shutdown) returns the test to the queue: its
    partial steps are dropped with the attempt and it runs again from the start elsewhere."""
    from traceiq_app.models import Artifact, StepResult

    run_id = None
    with session_scope() as session:
        result = session.get(TestResult, test_result_id)
        if result is None or result.status != TestResultStatus.running:
            return
        keys = list(session.exec(select(Artifact.storage_key).where(Artifact.test_result_id == test_result_id)).all())
        session.execute(sa.delete(StepResult).where(col(StepResult.test_result_id) == test_result_id))
        session.execute(sa.delete(Artifact).where(col(Artifact.test_result_id) == test_result_id))
        result.status = TestResultStatus.queued
        result.rq_job_id = None
        result.started_at = None
        result.worker_id = None
        run_id = result.run_id
    _delete_stored(keys)
    live_events.publish(run_id, live_events.TEST_QUEUED, test_result_id=str(test_result_id),
                        reason="handed back by a stopping worker")
    dispatch(run_id)


def _delete_stored(keys: list[str]) -> None:
    from traceiq_app.services.platform.storage import get_storage

    for key in keys:
        try:
            get_storage().delete(key)
        except Exception:  # noqa: BLE001 - an orphaned object is harmless; retention never sees it
            log.warning("could not delete %s", key)
