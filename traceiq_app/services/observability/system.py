"""The system report behind the System page and `GET /api/v1/system` (org owners and admins;
callers authorize `system.read` first): workers with their state, current test and uptime (and
browser memory for workers on this machine), queue depths, Redis memory, database size, the
organization's artifact storage per project and kind, and the retention rules with what they
would delete now. Every part degrades to an `error` string instead of failing the report."""

from __future__ import annotations

import logging
import socket
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from traceiq_app.db import get_engine, session_scope
from traceiq_app.models import Artifact, ArtifactKind, ArtifactOutcome, Project, TestResult
from traceiq_app.redis_conn import QUEUE_NAMES, get_redis
from traceiq_app.settings import get_settings

log = logging.getLogger(__name__)


def _part(build: Any) -> Any:
    try:
        return build()
    except Exception as exc:  # noqa: BLE001 - one broken part must not hide the others
        log.warning("system report part failed: %s", exc)
        return {"error": str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__}


def _browser_memory_mb(pid: int) -> float | None:
    """PSS of a local worker's browser processes (None for workers on other machines)."""
    import psutil

    try:
        worker = psutil.Process(pid)
        total = 0
        for child in worker.children(recursive=True):
            if "chrom" in (child.name() or "").lower():
                try:
                    total += child.memory_full_info().pss
                except (psutil.AccessDenied, psutil.NoSuchProcess):
                    continue
        return round(total / 1e6, 1)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def workers() -> list[dict[str, Any]]:
    from rq import Worker

    connection = get_redis()
    here = socket.gethostname()
    rows = []
    now = datetime.now(UTC)
    running = _running_tests()
    for worker in Worker.all(connection=connection):
        job = worker.get_current_job_id()
        birth = worker.birth_date.replace(tzinfo=UTC) if worker.birth_date else None
        beat = worker.last_heartbeat.replace(tzinfo=UTC) if worker.last_heartbeat else None
        pid = worker.pid
        local = worker.hostname == here and pid is not None
        rows.append({
            "name": worker.name, "host": worker.hostname, "pid": pid, "state": str(worker.get_state()),
            "current_test": running.get(job or "", None) if job else None,
            "uptime_s": int((now - birth).total_seconds()) if birth else None,
            "last_heartbeat_s": int((now - beat).total_seconds()) if beat else None,
            "browser_memory_mb": _browser_memory_mb(pid) if local and pid else None,
        })
    return sorted(rows, key=lambda r: r["name"])


def _running_tests() -> dict[str, str]:
    with session_scope() as session:
        rows = session.exec(select(TestResult.rq_job_id, TestResult.test_name)
                            .where(TestResult.status == "running", col(TestResult.rq_job_id).is_not(None))).all()
    return {job: name for job, name in rows if job}


def queues() -> list[dict[str, Any]]:
    from rq import Queue

    connection = get_redis()
    out = []
    for name in QUEUE_NAMES:
        queue = Queue(name, connection=connection)
        out.append({"name": name, "queued": queue.count, "running": queue.started_job_registry.count,
                    "failed": queue.failed_job_registry.count})
    return out


def redis_memory() -> dict[str, Any]:
    info: dict[str, Any] = get_redis().info("memory")  # type: ignore[assignment]
    return {"used_mb": round(int(info.get("used_memory", 0)) / 1e6, 1),
            "peak_mb": round(int(info.get("used_memory_peak", 0)) / 1e6, 1),
            "max_mb": round(int(info.get("maxmemory", 0)) / 1e6, 1) or None}


def database() -> dict[str, Any]:
    engine = get_engine()
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database or "")
        size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
        return {"kind": "sqlite", "size_mb": round(size / 1e6, 1)}
    with engine.connect() as conn:
        size = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one()
    return {"kind": engine.dialect.name, "size_mb": round(int(size) / 1e6, 1)}


def storage_usage(session: Session, org_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = session.execute(
        sa.select(col(Project.id), col(Project.name), col(Artifact.kind), func.count(),
                  func.coalesce(func.sum(Artifact.size_bytes), 0))
        .select_from(Artifact).join(Project, col(Project.id) == col(Artifact.project_id))
        .where(col(Project.org_id) == org_id)
        .group_by(col(Project.id), col(Project.name), col(Artifact.kind))
    ).all()
    by_project: dict[str, dict[str, Any]] = {}
    for project_id, name, kind, count, size in rows:
        entry = by_project.setdefault(str(project_id), {"project_id": str(project_id), "project": name,
                                                        "total_mb": 0.0, "kinds": {}})
        entry["kinds"][str(getattr(kind, "value", kind))] = {"files": int(count), "mb": round(int(size) / 1e6, 2)}
        entry["total_mb"] = round(entry["total_mb"] + int(size) / 1e6, 2)
    return sorted(by_project.values(), key=lambda e: -e["total_mb"])


def retention(session: Session, org_id: uuid.UUID) -> dict[str, Any]:
    """The artifact rules in force (settings), the org's saved run rules, and what the next pass
    deletes now (the sweep's own dry run) and artifacts expiring within a week."""
    from traceiq_app.services.runs.retention import retention_days, sweep
    from traceiq_app.services.runs.retention_rules import list_rules

    settings = get_settings()
    rules = [{"kind": kind.value, "outcome": outcome.value, "days": retention_days(kind, outcome, settings)}
             for kind in ArtifactKind for outcome in ArtifactOutcome]
    now = datetime.now(UTC)
    next_pass = sweep(now, dry_run=True, org_id=org_id).as_dict()
    week = now + timedelta(days=7)
    count, size = session.exec(
        select(func.count(), func.coalesce(func.sum(Artifact.size_bytes), 0))
        .select_from(Artifact).join(Project, col(Project.id) == col(Artifact.project_id))
        .where(Project.org_id == org_id, col(Artifact.expires_at).is_not(None), col(Artifact.expires_at) <= week)
    ).one()
    return {"rules": rules, "source": "TRACEIQ_RETENTION_PASSED_DAYS / _FAILED_DAYS / _RULES",
            "run_rules": list_rules(org_id), "next_pass": next_pass,
            "deleted_next_pass": {"files": next_pass["artifacts"], "mb": round(next_pass["bytes"] / 1e6, 2)},
            "deleted_within_7_days": {"files": int(count), "mb": round(int(size) / 1e6, 2)}}


def report(org_id: uuid.UUID) -> dict[str, Any]:
    with session_scope() as session:
        usage = _part(lambda: storage_usage(session, org_id))
        rules = _part(lambda: retention(session, org_id))
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "workers": _part(workers),
        "queues": _part(queues),
        "redis": _part(redis_memory),
        "database": _part(database),
        "storage": {"backend": "s3" if get_settings().s3_endpoint else "local", "projects": usage},
        "retention": rules,
    }
