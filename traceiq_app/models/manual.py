"""Manual testing: manual runs, the tests of a run, per-step results, attachments, activity.

A manual test case is a `test_cases` row with `kind = "manual"` (preconditions in
`preconditions`, steps `{"action", "data", "expected"}` in `steps`); its versions are the usual
`test_case_versions` rows (the manual definition in `definition`).

A manual run snapshots the definition of each selected test (`manual_run_tests.definition`), so
editing a test later does not change a run in progress. Each step result carries a `version`
that every write checks and increments in one conditional UPDATE: two testers cannot overwrite
each other's result for the same step.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from traceiq_app.models.base import (
    created_at_field,
    fk_field,
    id_field,
    json_field,
    timestamp_field,
    updated_at_field,
)

STEP_STATUSES = ("untested", "passed", "failed", "blocked", "skipped", "retest")
OUTCOMES = ("untested", "in_progress", "passed", "failed", "blocked", "retest", "skipped")


class ManualRun(SQLModel, table=True):
    __tablename__ = "manual_runs"

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=300)
    environment: str = Field(default="", max_length=200)
    build_label: str = Field(default="", max_length=200)
    milestone: str | None = Field(default=None, max_length=200)
    status: str = Field(default="open", max_length=16)
    created_by: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class ManualRunTest(SQLModel, table=True):
    __tablename__ = "manual_run_tests"

    id: uuid.UUID = id_field()
    run_id: uuid.UUID = fk_field("manual_runs.id", ondelete="CASCADE", index=True)
    test_case_id: uuid.UUID | None = fk_field("test_cases.id", ondelete="SET NULL", nullable=True)
    test_version: int = Field(default=1)
    name: str = Field(max_length=300)
    definition: dict[str, Any] = json_field(dict)
    position: int = Field(default=0)
    assignee_id: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    outcome: str = Field(default="untested", max_length=16)  # derived from the steps
    override: str | None = Field(default=None, max_length=16)  # set by a tester, with a reason
    override_reason: str | None = Field(default=None, sa_type=sa.Text)
    version: int = Field(default=0)
    updated_by: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    updated_at: datetime | None = timestamp_field()


class ManualStepResult(SQLModel, table=True):
    __tablename__ = "manual_step_results"
    __table_args__ = (sa.UniqueConstraint("run_test_id", "step_index"),)

    id: uuid.UUID = id_field()
    run_id: uuid.UUID = fk_field("manual_runs.id", ondelete="CASCADE", index=True)
    run_test_id: uuid.UUID = fk_field("manual_run_tests.id", ondelete="CASCADE")
    step_index: int
    status: str = Field(default="untested", max_length=16)
    actual: str = Field(default="", sa_type=sa.Text)
    version: int = Field(default=0)  # optimistic concurrency: every write checks and bumps it
    by_id: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    at: datetime | None = timestamp_field()


class ManualAttachment(SQLModel, table=True):
    """A file of a manual test case (owner_kind "test_case") or of a step result ("step_result"),
    kept in the artifact storage under `manual/<project>/...`."""

    __tablename__ = "manual_attachments"
    __table_args__ = (sa.Index("ix_manual_attachments_owner_kind_owner_id", "owner_kind", "owner_id"),)

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE")
    owner_kind: str = Field(max_length=16)
    owner_id: uuid.UUID
    storage_key: str = Field(max_length=500)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size_bytes: int
    uploaded_by: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    created_at: datetime = created_at_field()


class ManualRunActivity(SQLModel, table=True):
    """Who did what and when in a manual run (newest last)."""

    __tablename__ = "manual_run_activity"

    id: uuid.UUID = id_field()
    run_id: uuid.UUID = fk_field("manual_runs.id", ondelete="CASCADE", index=True)
    user_id: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    user_email: str = Field(default="", max_length=320)
    action: str = Field(max_length=32)
    detail: str = Field(default="", sa_type=sa.Text)
    at: datetime = created_at_field()
