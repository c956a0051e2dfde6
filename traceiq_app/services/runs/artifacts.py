"""Artifacts of test attempts: upload to the artifact storage as the engine reports them, and
read them back for an authorized download.

Storage keys: `<project>/<run>/<test result>/<short id>-<file name>`. Rows carry the outcome
of their test and an expiry date (see `retention`) once the test finished.
"""

from __future__ import annotations

import mimetypes
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from traceiq_app.db import session_scope
from traceiq_app.models import Artifact, ArtifactKind, TestResultStatus
from traceiq_app.services.platform.ids import uuid7
from traceiq_app.services.platform.storage import ArtifactStorage, S3Storage, get_storage
from traceiq_app.services.runs.retention import expiry_for, outcome_for
from traceiq_app.settings import get_settings

# The engine's artifact kinds -> stored kinds.
ENGINE_KINDS = {
    "trace": ArtifactKind.trace,
    "video": ArtifactKind.video,
    "failure_screenshot": ArtifactKind.failure_screenshot,
    "screenshots": ArtifactKind.screenshot,
    "screenshot": ArtifactKind.screenshot,
}
CONTENT_TYPES = {".zip": "application/zip", ".webm": "video/webm", ".png": "image/png", ".log": "text/plain"}


def content_type_for(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def store_artifact(*, project_id: uuid.UUID, run_id: uuid.UUID, test_result_id: uuid.UUID | None,
                   kind: str, path: Path, step_index: int | None = None,
                   storage: ArtifactStorage | None = None) -> Artifact:
    """Upload one file and record it (no expiry yet: set when the test finishes)."""
    storage = storage or get_storage()
    artifact_id = uuid7()
    key = f"{project_id}/{run_id}/{test_result_id or 'run'}/{artifact_id.hex[-8:]}-{path.name}"
    content_type = content_type_for(path)
    size = storage.put_file(key, path, content_type)
    artifact = Artifact(
        id=artifact_id, project_id=project_id, run_id=run_id, test_result_id=test_result_id,
        step_index=step_index, kind=ENGINE_KINDS.get(kind, ArtifactKind.log), storage_key=key,
        size_bytes=size, content_type=content_type,
    )
    with session_scope() as session:
        session.add(artifact)
    return artifact


def finalize_artifacts(session: Session, test_result_id: uuid.UUID, status: TestResultStatus,
                       finished_at: datetime) -> None:
    """Stamp the test's outcome and the retention expiry on its artifacts."""
    outcome = outcome_for(status)
    for artifact in session.exec(select(Artifact).where(Artifact.test_result_id == test_result_id)).all():
        artifact.outcome = outcome
        artifact.expires_at = expiry_for(artifact.kind, outcome, finished_at)


def get_artifact(artifact_id: uuid.UUID) -> Artifact | None:
    with session_scope() as session:
        return session.get(Artifact, artifact_id)


def artifacts_for_run(run_id: uuid.UUID) -> list[Artifact]:
    with session_scope() as session:
        return list(session.exec(select(Artifact).where(Artifact.run_id == run_id)).all())


def open_artifact(artifact: Artifact, storage: ArtifactStorage | None = None) -> Iterator[bytes]:
    """The artifact's bytes as a stream. Callers MUST have authorized the user for
    `artifact.project_id` first (the API route does)."""
    return (storage or get_storage()).open_stream(artifact.storage_key)


def presigned_url(artifact: Artifact, storage: ArtifactStorage | None = None) -> str | None:
    """A short-lived direct download URL when the storage supports it (S3), else None.
    Same rule: authorize first."""
    storage = storage or get_storage()
    if isinstance(storage, S3Storage):
        ttl = timedelta(seconds=get_settings().artifact_url_ttl_seconds)
        return storage.presigned_url(artifact.storage_key, expires=ttl)
    return None
