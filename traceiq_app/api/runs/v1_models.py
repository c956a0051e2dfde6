"""Response models of the /api/v1 run routes (what `GET /api/v1/runs/{id}` and the runs list return)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from traceiq_app.models import Run


class Metadata(BaseModel):
    branch: str | None = None
    commit: str | None = None
    ci_url: str | None = None
    pr: str | None = None


class Totals(BaseModel):
    total: int
    passed: int
    failed: int
    flaky: int
    errors: int
    skipped: int


class RunSummary(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    status: str
    trigger: str
    browsers: list[str]
    metadata: Metadata
    totals: Totals
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None

    @classmethod
    def of(cls, run: Run) -> RunSummary:
        return cls(id=run.id, project_id=run.project_id, status=run.status.value, trigger=run.trigger.value,
                   browsers=list(run.browsers or []),
                   metadata=Metadata(branch=run.branch, commit=run.commit_sha, ci_url=run.ci_url, pr=run.pr),
                   totals=Totals(total=run.total, passed=run.passed, failed=run.failed, flaky=run.flaky,
                                 errors=run.errors, skipped=run.skipped),
                   created_at=run.created_at, started_at=run.started_at, finished_at=run.finished_at,
                   duration_ms=run.duration_ms)


class StepOut(BaseModel):
    index: int
    action: str
    name: str | None
    status: str
    duration_ms: int | None
    error: str | None
    locator_used: str | None
    console_errors: list[str]
    network_errors: list[str]
    screenshot_url: str | None


class ArtifactOut(BaseModel):
    id: uuid.UUID
    kind: str
    step_index: int | None
    content_type: str
    size_bytes: int
    url: str


class HealedStepOut(BaseModel):
    step: int  # 0-based step index
    from_: str = Field(alias="from")
    to: str
    score: float
    applied: bool  # the step went on with the healed element (false: report-only, the step failed)

    model_config = {"populate_by_name": True}


class AttemptOut(BaseModel):
    id: uuid.UUID
    attempt: int
    status: str
    error: str | None
    failed_step: int | None
    duration_ms: int | None
    worker: str | None
    started_at: datetime | None
    finished_at: datetime | None
    steps: list[StepOut]
    artifacts: list[ArtifactOut]
    healed_steps: list[HealedStepOut] = []  # self-healed locators of this attempt


class TestOutcome(BaseModel):
    __test__ = False

    test_case_id: uuid.UUID | None
    name: str
    browser: str
    status: str
    error: str | None
    duration_ms: int | None
    healed: bool = False  # passed (healed): the final attempt passed on healed locators
    attempts: list[AttemptOut]


class RunDetail(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    status: str
    trigger: str
    environment: str | None
    browsers: list[str]
    retries: int
    parallelism: int
    metadata: Metadata
    totals: Totals
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None
    rerun_of: uuid.UUID | None
    tests: list[TestOutcome]
