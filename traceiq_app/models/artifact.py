"""Artifacts: files a test attempt produced (trace, video, screenshots, logs), stored in the
artifact store under `storage_key`. Rows cascade away with their run/result; delete the
stored object first (the retention job works from `expires_at`)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from traceiq_app.models.base import created_at_field, enum_field, fk_field, id_field, timestamp_field
from traceiq_app.models.enums import ArtifactKind, ArtifactOutcome
from traceiq_app.models.types import StrEnumType


class Artifact(SQLModel, table=True):
    __tablename__ = "artifacts"

    id: uuid.UUID = id_field()
    # Denormalized for authorization checks on download without joining up to the run.
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE")
    run_id: uuid.UUID = fk_field("runs.id", ondelete="CASCADE", index=True)
    test_result_id: uuid.UUID | None = fk_field(
        "test_results.id", ondelete="CASCADE", nullable=True, index=True
    )
    step_index: int | None = Field(default=None)
    kind: ArtifactKind = enum_field(ArtifactKind)
    storage_key: str = Field(max_length=1024, unique=True)
    size_bytes: int = Field(default=0, sa_type=sa.BigInteger)
    content_type: str = Field(default="application/octet-stream", max_length=255)
    outcome: ArtifactOutcome | None = Field(default=None, sa_type=StrEnumType(ArtifactOutcome))
    created_at: datetime = created_at_field()
    expires_at: datetime | None = timestamp_field(index=True)  # None: keep
