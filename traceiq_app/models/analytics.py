"""Analytics tables: one fact per final test result (what every chart, the health table, the
failure clusters and run comparisons read instead of scanning step results), per-project
analytics settings, the flaky state of each test (hysteresis) and quarantines."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from traceiq_app.models.base import created_at_field, fk_field, id_field, timestamp_field
from traceiq_app.models.run import Run


class ResultFact(SQLModel, table=True):
    """The final attempt of one test on one browser in one finished run."""

    __tablename__ = "result_facts"
    __table_args__ = (
        sa.UniqueConstraint("run_id", "test_key", "browser"),
        # Covering indexes: the chart series group by these columns without reading the wide rows.
        sa.Index("ix_result_facts_series", "project_id",
                 "finished_at", "status", "branch", "environment_id", "browser"),
        # A test's last N results (health table, flaky state): an index range per test.
        # The filter columns at the end keep it index-only when the dashboard's filters apply.
        sa.Index("ix_result_facts_test_history", "project_id", "test_key",
                 "finished_at", "status", "duration_ms", "branch", "environment_id", "suite_id", "tags"),
        # The runs behind a tag filter: only the tagged facts (a small part of them).
        sa.Index("ix_result_facts_tagged", "project_id", "tags", "run_id",
                 sqlite_where=sa.text("tags != ''"), postgresql_where=sa.text("tags != ''")),
        sa.Index("ix_result_facts_project_id_status_finished_at", "project_id", "status", "finished_at"),
        sa.Index("ix_result_facts_project_id_signature", "project_id", "signature"),
    )

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE")
    run_id: uuid.UUID = fk_field("runs.id", ondelete="CASCADE")
    test_result_id: uuid.UUID | None = fk_field("test_results.id", ondelete="SET NULL", nullable=True)
    test_case_id: uuid.UUID | None = fk_field("test_cases.id", ondelete="SET NULL", nullable=True)
    test_key: str = Field(max_length=300)  # the test case id, or the name when it has none
    test_name: str = Field(max_length=300)
    suite_id: uuid.UUID | None = Field(default=None)
    tags: str = Field(default="", max_length=2000)  # ",tag1,tag2," (LIKE '%,tag,%')
    browser: str = Field(max_length=32)
    status: str = Field(max_length=32)  # passed / failed / flaky / error / skipped / cancelled
    attempts: int = Field(default=1)
    flaky_on_retry: bool = Field(default=False)
    quarantined: bool = Field(default=False)  # quarantined when the result was recorded
    duration_ms: int | None = Field(default=None)
    branch: str | None = Field(default=None, max_length=255)
    environment_id: uuid.UUID | None = Field(default=None)
    trigger: str = Field(default="", max_length=32)
    started_at: datetime | None = timestamp_field()
    finished_at: datetime | None = timestamp_field()
    signature: str | None = Field(default=None, max_length=40)
    error_category: str | None = Field(default=None, max_length=32)
    error_step: str | None = Field(default=None, max_length=32)
    error_locator: str | None = Field(default=None, max_length=500)
    error_pattern: str | None = Field(default=None, max_length=1000)  # the masked message
    error: str | None = Field(default=None, max_length=2000)


class AnalyticsSettings(SQLModel, table=True):
    """A project's flakiness thresholds (flip rate; enter at `flaky_enter`, leave below
    `flaky_exit`) and quarantine policy. Missing row = the defaults."""

    __tablename__ = "analytics_settings"

    project_id: uuid.UUID = Field(foreign_key="projects.id", ondelete="CASCADE", primary_key=True)
    flaky_enter: float = Field(default=0.3, ge=0, le=1)
    flaky_exit: float = Field(default=0.1, ge=0, le=1)
    auto_quarantine: bool = Field(default=False)
    quarantine_days: int = Field(default=14, ge=1, le=365)


class FlakyState(SQLModel, table=True):
    __tablename__ = "test_flaky_states"

    project_id: uuid.UUID = Field(foreign_key="projects.id", ondelete="CASCADE", primary_key=True)
    test_key: str = Field(max_length=300, primary_key=True)
    flaky: bool = Field(default=False)
    flip_rate: float = Field(default=0.0)
    changed_at: datetime = created_at_field()


class Quarantine(SQLModel, table=True):
    """`proposed` (flaky, waiting for a human) -> `active` -> `ended` (lifted or expired)."""

    __tablename__ = "quarantines"
    __table_args__ = (sa.Index("ix_quarantines_project_id_state", "project_id", "state"),)

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE")
    test_key: str = Field(max_length=300)
    test_name: str = Field(max_length=300)
    state: str = Field(default="active", max_length=16)
    owner_user_id: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    reason: str = Field(default="", max_length=500)
    automatic: bool = Field(default=False)
    created_by_user_id: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    created_at: datetime = created_at_field()
    expires_at: datetime | None = timestamp_field()
    ended_at: datetime | None = timestamp_field()
    end_reason: str | None = Field(default=None, max_length=200)


class ResultDaily(SQLModel, table=True):
    """Results per project, UTC day and dimension, maintained with the facts (`facts.record_run`
    adds a run's facts and takes back those it replaces): the daily chart series read these few
    rows instead of every fact. Empty strings stand for "none" (they are part of the key).
    `tag` "" rows count every result; each result also counts once more in a row per tag it
    carries (`tag` = that tag), so a tag filter reads the rollup too: always filter on `tag`."""

    __tablename__ = "result_daily"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "day", "status", "branch", "environment_id", "browser", "suite_id",
                            "tag", name="uq_result_daily_dims"),
    )

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE")
    day: str = Field(max_length=10)  # YYYY-MM-DD (UTC)
    status: str = Field(max_length=32)
    branch: str = Field(default="", max_length=255)
    environment_id: str = Field(default="", max_length=36)
    browser: str = Field(default="", max_length=32)
    suite_id: str = Field(default="", max_length=36)
    tag: str = Field(default="", max_length=100)
    n: int = Field(default=0)


# The run series of the dashboard (outcomes and durations per day): index-only on the runs table.
sa.Index("ix_runs_analytics_series", Run.__table__.c.project_id, Run.__table__.c.finished_at,  # type: ignore[attr-defined]
         Run.__table__.c.status, Run.__table__.c.duration_ms, Run.__table__.c.branch,  # type: ignore[attr-defined]
         Run.__table__.c.environment_id, Run.__table__.c.id)  # type: ignore[attr-defined]
