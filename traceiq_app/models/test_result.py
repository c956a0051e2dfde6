"""Results: one `TestResult` row per test, browser and attempt of a run (a retry is a new
row with attempt + 1), and one `StepResult` per executed step of an attempt.

Named like the engine's `traceiq_app.engine.results.TestResult/StepResult` dataclasses, which
are what the engine reports; these rows are what gets stored. Import one side qualified.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from traceiq_app.models.base import (
    created_at_field,
    enum_field,
    fk_field,
    id_field,
    json_field,
    timestamp_field,
)
from traceiq_app.models.enums import Browser, StepStatus, TestResultStatus


class TestResult(SQLModel, table=True):
    __test__ = False
    __tablename__ = "test_results"
    __table_args__ = (
        # Also THE index for "results of a run" (run_id is its leading column).
        sa.UniqueConstraint("run_id", "test_case_id", "browser", "attempt"),
        # History of one test across runs (flakiness, last results).
        sa.Index("ix_test_results_test_case_id_finished_at", "test_case_id", "finished_at"),
    )

    id: uuid.UUID = id_field()
    run_id: uuid.UUID = fk_field("runs.id", ondelete="CASCADE")
    # Kept (set to NULL) when the test case is deleted: the run's history stays readable
    # through test_name and the definition snapshot.
    test_case_id: uuid.UUID | None = fk_field("test_cases.id", ondelete="SET NULL", nullable=True)
    test_name: str = Field(max_length=300)
    browser: Browser = enum_field(Browser, Browser.chromium)
    attempt: int = Field(default=1)
    status: TestResultStatus = enum_field(TestResultStatus, TestResultStatus.queued)
    failed_step: int | None = Field(default=None)  # 0-based step index
    error: str | None = Field(default=None, sa_type=sa.Text)  # already masked
    worker_id: str | None = Field(default=None, max_length=255)
    rq_job_id: str | None = Field(default=None, max_length=64)
    queued_at: datetime = created_at_field()
    started_at: datetime | None = timestamp_field()
    finished_at: datetime | None = timestamp_field()
    duration_ms: int | None = Field(default=None)
    # The exact definition that ran (TestCase.definition() at enqueue time).
    definition: dict[str, Any] = json_field(dict)


class StepResult(SQLModel, table=True):
    __tablename__ = "step_results"
    # The unique constraint doubles as the "steps of a result" index.
    __table_args__ = (sa.UniqueConstraint("test_result_id", "step_index"),)

    id: uuid.UUID = id_field()
    test_result_id: uuid.UUID = fk_field("test_results.id", ondelete="CASCADE")
    step_index: int  # 0-based index into the definition's steps
    action: str = Field(max_length=32)
    name: str | None = Field(default=None, max_length=500)
    status: StepStatus = enum_field(StepStatus, StepStatus.running)
    duration_ms: int | None = Field(default=None)
    error: str | None = Field(default=None, sa_type=sa.Text)
    locator_used: str | None = Field(default=None, sa_type=sa.Text)
    console_errors: list[str] = json_field(list)
    network_errors: list[str] = json_field(list)
    screenshot_artifact_id: uuid.UUID | None = fk_field(
        "artifacts.id", ondelete="SET NULL", nullable=True, index=True
    )
    started_at: datetime | None = timestamp_field()
    finished_at: datetime | None = timestamp_field()
