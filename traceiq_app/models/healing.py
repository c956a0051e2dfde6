"""Self-healing locators (services/healing): per-project mode, the fingerprint of each test
step from its last passing run, the steps a run healed, and the proposals an editor reviews.

- `healing_settings`: one row per project that changed the default mode ("report").
- `healing_fingerprints`: (test case, slot) -> fingerprint; slot "3" is step index 3's target,
  "3.1" its second target (engine/healing).
- `healed_steps`: what a test result healed (the "passed (healed)" badge, reports).
- `healing_proposals`: one per test result that healed something; `changes` lists per step
  {"step", "slot", "from" (the old target), "to" (the new locator), "score"}; accepting writes a
  new test version with the new locator first and the old ones kept as fallbacks. `key` is
  the proposal's identity (test + changes): a rejected key is never proposed again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from traceiq_app.models.base import created_at_field, fk_field, id_field, json_field, timestamp_field


class HealingSettings(SQLModel, table=True):
    __tablename__ = "healing_settings"

    project_id: uuid.UUID = Field(foreign_key="projects.id", ondelete="CASCADE", primary_key=True)
    mode: str = Field(default="report", max_length=16)  # off | report | heal
    updated_by: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    updated_at: datetime = created_at_field()


class HealingFingerprint(SQLModel, table=True):
    __tablename__ = "healing_fingerprints"
    __table_args__ = (sa.UniqueConstraint("test_case_id", "slot"),)

    id: uuid.UUID = id_field()
    test_case_id: uuid.UUID = fk_field("test_cases.id", ondelete="CASCADE")
    slot: str = Field(max_length=32)
    fingerprint: dict[str, Any] = json_field(dict)
    recorded_at: datetime = created_at_field()


class HealedStep(SQLModel, table=True):
    __tablename__ = "healed_steps"
    __table_args__ = (sa.UniqueConstraint("test_result_id", "step_index"),)

    id: uuid.UUID = id_field()
    test_result_id: uuid.UUID = fk_field("test_results.id", ondelete="CASCADE")
    run_id: uuid.UUID = fk_field("runs.id", ondelete="CASCADE", index=True)
    step_index: int
    applied: bool = True  # False: report-only mode (the step failed; the heal is a proposal)
    from_locator: str = Field(max_length=2000)
    to_locator: str = Field(max_length=2000)
    score: float
    created_at: datetime = created_at_field()


class HealingProposal(SQLModel, table=True):
    __tablename__ = "healing_proposals"
    __table_args__ = (sa.Index("ix_healing_proposals_project_id_status", "project_id", "status"),)

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE")
    test_case_id: uuid.UUID = fk_field("test_cases.id", ondelete="CASCADE", index=True)
    run_id: uuid.UUID | None = fk_field("runs.id", ondelete="SET NULL", nullable=True)
    test_result_id: uuid.UUID | None = fk_field("test_results.id", ondelete="SET NULL", nullable=True)
    base_version: int  # the test version the run used
    status: str = Field(default="open", max_length=16)  # open | accepted | rejected | superseded
    key: str = Field(max_length=64, index=True)
    changes: list[dict[str, Any]] = json_field(list)
    new_version: int | None = None  # the version accepting it created
    decided_by: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    decided_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()


class AiSettings(SQLModel, table=True):
    """Per-project opt-in to AI assistance (services/ai); no row: off."""

    __tablename__ = "ai_settings"

    project_id: uuid.UUID = Field(foreign_key="projects.id", ondelete="CASCADE", primary_key=True)
    enabled: bool = False
    updated_by: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    updated_at: datetime = created_at_field()
