"""Artifact retention: how long each kind of artifact is kept, by the outcome of its test, and
the cleanup that deletes expired ones (storage object first, then the row).

Defaults: artifacts of passed (and flaky) tests for TRACEIQ_RETENTION_PASSED_DAYS (7), of
anything else for TRACEIQ_RETENTION_FAILED_DAYS (30); TRACEIQ_RETENTION_RULES overrides per
kind and outcome ("video.passed=2,trace.failed=90"); 0 days = keep forever.

On top of that, the retention rules edited on the System page (`retention_rules`: per project or
org-wide, keep runs N days / keep the last N runs / keep failed runs longer) delete whole finished
runs with their results and artifacts. `sweep()` applies both; with `dry_run=True` it only
counts, through the same plan, so the System page's preview is what the next pass deletes.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from traceiq_app.db import session_scope
from traceiq_app.models import (
    Artifact,
    ArtifactKind,
    ArtifactOutcome,
    Project,
    Run,
    RunStatus,
    StepResult,
    TestResult,
    TestResultStatus,
    utcnow,
)
from traceiq_app.services.platform.storage import ArtifactStorage, StorageError, get_storage
from traceiq_app.settings import Settings, get_settings

log = logging.getLogger(__name__)

PASSED_STATUSES = (TestResultStatus.passed, TestResultStatus.flaky)


class RetentionRuleError(ValueError):
    pass


def outcome_for(status: TestResultStatus | str) -> ArtifactOutcome:
    return ArtifactOutcome.passed if TestResultStatus(status) in PASSED_STATUSES else ArtifactOutcome.failed


def parse_rules(text: str) -> dict[tuple[ArtifactKind, ArtifactOutcome], int]:
    rules: dict[tuple[ArtifactKind, ArtifactOutcome], int] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            target, days = part.split("=", 1)
            kind, outcome = target.strip().split(".", 1)
            rules[(ArtifactKind(kind.strip()), ArtifactOutcome(outcome.strip()))] = int(days)
        except ValueError as exc:
            raise RetentionRuleError(
                f"bad TRACEIQ_RETENTION_RULES entry {part!r}: use kind.outcome=days with kind one of "
                f"{', '.join(k.value for k in ArtifactKind)} and outcome passed or failed"
            ) from exc
        if rules[(ArtifactKind(kind.strip()), ArtifactOutcome(outcome.strip()))] < 0:
            raise RetentionRuleError(f"bad TRACEIQ_RETENTION_RULES entry {part!r}: days must be >= 0")
    return rules


def retention_days(kind: ArtifactKind | str, outcome: ArtifactOutcome | str, settings: Settings | None = None) -> int:
    settings = settings or get_settings()
    rules = parse_rules(settings.retention_rules)
    key = (ArtifactKind(kind), ArtifactOutcome(outcome))
    if key in rules:
        return rules[key]
    return settings.retention_passed_days if key[1] == ArtifactOutcome.passed else settings.retention_failed_days


def expiry_for(kind: ArtifactKind | str, outcome: ArtifactOutcome | str, finished_at: datetime,
               settings: Settings | None = None) -> datetime | None:
    days = retention_days(kind, outcome, settings)
    return None if days <= 0 else finished_at + timedelta(days=days)


@dataclass
class PurgeReport:
    deleted: int = 0
    bytes: int = 0
    failed: int = 0


def purge_expired(now: datetime | None = None, storage: ArtifactStorage | None = None,
                  batch: int = 500, org_id: uuid.UUID | None = None) -> PurgeReport:
    """Delete every artifact whose `expires_at` passed: the stored object, then the row (step
    results pointing at a deleted screenshot keep their row, with the link cleared)."""
    now = now or utcnow()
    storage = storage or get_storage()
    report = PurgeReport()
    while True:
        with session_scope() as session:
            expired = list(session.exec(
                _in_org(select(Artifact).where(col(Artifact.expires_at).is_not(None), col(Artifact.expires_at) <= now),
                        org_id).order_by(col(Artifact.expires_at)).limit(batch)
            ).all())
        if not expired:
            return report
        gone = []
        for artifact in expired:
            try:
                storage.delete(artifact.storage_key)
            except (StorageError, OSError, Exception) as exc:  # noqa: BLE001 - keep the row, retry later
                log.warning("could not delete artifact %s (%s): %s", artifact.id, artifact.storage_key, exc)
                report.failed += 1
                continue
            gone.append(artifact.id)
            report.bytes += artifact.size_bytes or 0
        if gone:
            with session_scope() as session:
                session.execute(sa.update(StepResult).where(col(StepResult.screenshot_artifact_id).in_(gone))
                                .values(screenshot_artifact_id=None))
                session.execute(sa.delete(Artifact).where(col(Artifact.id).in_(gone)))
            report.deleted += len(gone)
        if len(expired) < batch or not gone:
            return report


def _in_org(query: Any, org_id: uuid.UUID | None) -> Any:
    if org_id is None:
        return query
    return query.where(col(Artifact.project_id).in_(select(Project.id).where(Project.org_id == org_id)))


# --- retention rules: whole runs -------------------------------------------------------------

FAILED_RUN_STATUSES = (RunStatus.failed, RunStatus.error, RunStatus.timed_out)
FINAL_RUN_STATUSES = tuple(s for s in RunStatus if s.is_final)


@dataclass
class SweepReport:
    """What a pass deletes (or, dry run, would delete): runs, their test results, artifacts (of
    those runs plus expired ones of kept runs) and the bytes those artifacts hold."""

    runs: int = 0
    results: int = 0
    artifacts: int = 0
    bytes: int = 0
    failed: int = 0  # stored objects that could not be deleted (their rows stay; retried next pass)

    def as_dict(self) -> dict[str, int]:
        return {"runs": self.runs, "results": self.results, "artifacts": self.artifacts, "bytes": self.bytes}


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def runs_past_rule(session: Session, project_id: uuid.UUID, spec: Any, now: datetime) -> list[uuid.UUID]:
    """Finished runs of a project that `spec` (a RuleSpec) no longer keeps: beyond the newest
    `keep_last` AND (when `keep_days` is set) finished longer ago than `keep_days`
    (`keep_failed_days` for failed, errored and timed-out runs). Queued/running runs are never
    touched."""
    if spec is None or spec.empty:
        return []
    rows = session.exec(
        select(Run.id, Run.status, Run.finished_at, Run.created_at)
        .where(Run.project_id == project_id, col(Run.status).in_(FINAL_RUN_STATUSES))
        .order_by(col(Run.created_at).desc(), col(Run.id).desc())
    ).all()
    if spec.keep_last:
        rows = rows[spec.keep_last:]
    doomed = []
    for run_id, status, finished_at, created_at in rows:
        if spec.keep_days is not None:
            failed = RunStatus(status) in FAILED_RUN_STATUSES
            days = spec.keep_failed_days if failed and spec.keep_failed_days else spec.keep_days
            if _aware(finished_at or created_at) > now - timedelta(days=days):
                continue
        doomed.append(run_id)
    return doomed


def plan_runs(session: Session, now: datetime, org_id: uuid.UUID | None = None,
              override: tuple[uuid.UUID | None, Any] | None = None) -> list[uuid.UUID]:
    """Every run the rules delete now (of one org, or all). `override` = (project id or None for
    org-wide, RuleSpec) previews an unsaved rule as if it were saved (org_id required)."""
    from traceiq_app.services.runs.retention_rules import rules_by_project

    rules = rules_by_project(session, org_id)
    if override is not None and org_id is not None:
        rules[(org_id, override[0])] = override[1]
    if not rules:
        return []
    projects = select(Project.id, Project.org_id)
    if org_id is not None:
        projects = projects.where(Project.org_id == org_id)
    doomed: list[uuid.UUID] = []
    for project_id, project_org in session.exec(projects).all():
        spec = rules.get((project_org, project_id)) or rules.get((project_org, None))
        doomed.extend(runs_past_rule(session, project_id, spec, now))
    return doomed


def _chunks(ids: list[uuid.UUID], size: int) -> list[list[uuid.UUID]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def sweep(now: datetime | None = None, *, dry_run: bool, org_id: uuid.UUID | None = None,
          override: tuple[uuid.UUID | None, Any] | None = None, storage: ArtifactStorage | None = None,
          batch: int = 500) -> SweepReport:
    """The retention pass: runs the rules no longer keep (stored objects first, then the rows,
    which cascade to results, steps and artifacts), then expired artifacts of the runs kept.
    `dry_run=True` counts the same plan and deletes nothing."""
    now = now or utcnow()
    report = SweepReport()
    with session_scope() as session:
        doomed = plan_runs(session, now, org_id, override)
        doomed_set = set(doomed)
        expired = session.exec(_in_org(
            select(Artifact.run_id, func.coalesce(Artifact.size_bytes, 0))
            .where(col(Artifact.expires_at).is_not(None), col(Artifact.expires_at) <= now), org_id)).all()
        if dry_run:
            for chunk in _chunks(doomed, batch):
                report.runs += len(chunk)
                report.results += session.exec(select(func.count()).select_from(TestResult)
                                               .where(col(TestResult.run_id).in_(chunk))).one()
                count, size = session.exec(select(func.count(), func.coalesce(func.sum(Artifact.size_bytes), 0))
                                           .where(col(Artifact.run_id).in_(chunk))).one()
                report.artifacts += int(count)
                report.bytes += int(size)
            for run_id, size in expired:
                if run_id not in doomed_set:
                    report.artifacts += 1
                    report.bytes += int(size)
            return report
    storage = storage or get_storage()
    for chunk in _chunks(doomed, batch):
        _delete_runs(chunk, storage, report)
    purged = purge_expired(now, storage=storage, batch=batch, org_id=org_id)
    report.artifacts += purged.deleted
    report.bytes += purged.bytes
    report.failed += purged.failed
    if report.runs or report.artifacts:
        log.info("retention: deleted %d runs, %d results, %d artifacts (%d bytes)", report.runs, report.results,
                 report.artifacts, report.bytes)
    return report


def _delete_runs(run_ids: list[uuid.UUID], storage: ArtifactStorage, report: SweepReport) -> None:
    with session_scope() as session:
        artifacts = session.exec(select(Artifact.run_id, Artifact.storage_key, Artifact.size_bytes)
                                 .where(col(Artifact.run_id).in_(run_ids))).all()
    kept: set[uuid.UUID] = set()
    deleted: list[tuple[uuid.UUID, int]] = []
    for run_id, key, size in artifacts:
        if run_id in kept:
            continue
        try:
            storage.delete(key)
        except Exception as exc:  # noqa: BLE001 - keep the run (and its rows), retry next pass
            log.warning("retention: could not delete %s of run %s: %s", key, run_id, exc)
            report.failed += 1
            kept.add(run_id)
            continue
        deleted.append((run_id, int(size or 0)))
    gone = [r for r in run_ids if r not in kept]
    if not gone:
        return
    with session_scope() as session:
        report.results += session.exec(select(func.count()).select_from(TestResult)
                                       .where(col(TestResult.run_id).in_(gone))).one()
        session.execute(sa.update(Run).where(col(Run.rerun_of_id).in_(gone)).values(rerun_of_id=None))
        session.execute(sa.delete(Run).where(col(Run.id).in_(gone)))
    report.runs += len(gone)
    for run_id, size in deleted:
        if run_id not in kept:
            report.artifacts += 1
            report.bytes += size
