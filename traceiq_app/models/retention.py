"""Retention rules edited on the System page: per project, or org-wide (project_id NULL) for
every project of the org without a rule of its own. The sweep (`services/runs/retention.py`)
deletes finished runs (their results and artifacts with them) that the rule no longer keeps."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from traceiq_app.models.base import created_at_field, fk_field, id_field, updated_at_field


class RetentionRule(SQLModel, table=True):
    __tablename__ = "retention_rules"

    id: uuid.UUID = id_field()
    org_id: uuid.UUID = fk_field("organizations.id", ondelete="CASCADE", index=True)
    project_id: uuid.UUID | None = fk_field("projects.id", ondelete="CASCADE", nullable=True, index=True)
    # Finished runs older than this many days are deleted (None: age alone deletes nothing).
    keep_days: int | None = Field(default=None)
    # The newest N finished runs of a project are always kept (None: no such floor).
    keep_last: int | None = Field(default=None)
    # Failed runs (failed, error, timed out) are kept this many days instead of keep_days.
    keep_failed_days: int | None = Field(default=None)
    updated_by: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
