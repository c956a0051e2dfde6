"""Runs: one execution of a selection of tests on some browsers in one environment.
Totals count final per-test outcomes (one per test and browser, after retries)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlmodel import Field, SQLModel, col

from traceiq_app.models.base import (
    StrEnumType,
    created_at_field,
    enum_field,
    fk_field,
    id_field,
    json_field,
    timestamp_field,
)
from traceiq_app.models.enums import Browser, RunStatus, RunTrigger, VideoMode


class RunSelection(BaseModel):
    """Which tests a run (or schedule) executes: the union of these; all empty = whole project."""

    model_config = ConfigDict(extra="forbid")

    suite_ids: list[uuid.UUID] = []
    test_ids: list[uuid.UUID] = []
    tags: list[str] = []

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class RunBase(SQLModel):
    environment_id: uuid.UUID | None = fk_field(
        "environments.id", ondelete="SET NULL", nullable=True, index=True
    )
    retries: int = Field(default=0, ge=0, le=5)
    parallelism: int = Field(default=1, ge=1, le=64)
    timeout_s: int = Field(default=3600, ge=1, le=86_400)
    branch: str | None = Field(default=None, max_length=255)
    commit_sha: str | None = Field(default=None, max_length=64)
    # CI metadata (the API's `metadata`: branch, commit, ci_url, pr), filled by `traceiq run`.
    ci_url: str | None = Field(default=None, max_length=2000)
    pr: str | None = Field(default=None, max_length=100)


class Run(RunBase, table=True):
    __tablename__ = "runs"
    __table_args__ = (
        # Filtered by status ("failed runs", "what is running").
        sa.Index("ix_runs_project_id_status_created_at", "project_id", "status", "created_at"),
    )

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE")
    selection: dict[str, Any] = json_field(dict)
    browsers: list[str] = json_field(lambda: [Browser.chromium.value])
    trigger: RunTrigger = enum_field(RunTrigger)
    triggered_by_user_id: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    triggered_by_token_id: uuid.UUID | None = fk_field("api_tokens.id", ondelete="SET NULL", nullable=True)
    schedule_id: uuid.UUID | None = fk_field("schedules.id", ondelete="SET NULL", nullable=True, index=True)
    rerun_of_id: uuid.UUID | None = fk_field("runs.id", ondelete="SET NULL", nullable=True, index=True)
    status: RunStatus = enum_field(RunStatus, RunStatus.queued)
    # Video recording of each test (the run dialog's choice; default: the project's setting).
    video: VideoMode = Field(default=VideoMode.off, sa_type=StrEnumType(VideoMode), nullable=False,
                             sa_column_kwargs={"server_default": "off"})
    total: int = Field(default=0)
    passed: int = Field(default=0)
    failed: int = Field(default=0)
    flaky: int = Field(default=0)
    errors: int = Field(default=0)
    skipped: int = Field(default=0)
    created_at: datetime = created_at_field()
    started_at: datetime | None = timestamp_field()
    finished_at: datetime | None = timestamp_field()
    duration_ms: int | None = Field(default=None)


# Run history of a project, newest first (declared here: it needs the mapped columns for DESC).
sa.Index("ix_runs_project_id_created_at", col(Run.project_id), col(Run.created_at).desc())


class RunCreate(RunBase):
    selection: RunSelection = Field(default_factory=RunSelection)
    browsers: list[Browser] = Field(default_factory=lambda: [Browser.chromium], min_length=1)
    video: VideoMode | None = None  # None: the project's default


class RunPublic(RunBase):
    id: uuid.UUID
    project_id: uuid.UUID
    selection: RunSelection
    browsers: list[str]
    trigger: RunTrigger
    triggered_by_user_id: uuid.UUID | None
    triggered_by_token_id: uuid.UUID | None
    schedule_id: uuid.UUID | None
    rerun_of_id: uuid.UUID | None
    status: RunStatus
    video: VideoMode = VideoMode.off
    total: int
    passed: int
    failed: int
    flaky: int
    errors: int
    skipped: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None
