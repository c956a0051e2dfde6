"""Artifact retention: how long each kind of artifact is kept, by the outcome of its test, and
the cleanup that deletes expired ones (storage object first, then the row).

Defaults: artifacts of passed (and flaky) tests for TRACEIQ_RETENTION_PASSED_DAYS (7), of
anything else for TRACEIQ_RETENTION_FAILED_DAYS (30); TRACEIQ_RETENTION_RULES overrides per
kind and outcome ("video.passed=2,trace.failed=90"); 0 days = keep forever.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import Artifact, ArtifactKind, ArtifactOutcome, StepResult, TestResultStatus, utcnow
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
                  batch: int = 500) -> PurgeReport:
    """Delete every artifact whose `expires_at` passed: the stored object, then the row (step
    results pointing at a deleted screenshot keep their row, with the link cleared)."""
    now = now or utcnow()
    storage = storage or get_storage()
    report = PurgeReport()
    while True:
        with session_scope() as session:
            expired = list(session.exec(
                select(Artifact).where(col(Artifact.expires_at).is_not(None), col(Artifact.expires_at) <= now)
                .order_by(col(Artifact.expires_at)).limit(batch)
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
