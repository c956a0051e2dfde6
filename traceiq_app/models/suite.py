"""Suites: nested folders of test cases inside a project (`parent_id` None = top level).
`settings` overrides the project's execution settings for everything below the folder.
Soft-deleted with `deleted_at`; a hard delete removes sub-folders and their test cases."""

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
from traceiq_app.models.execution_settings import ExecutionSettings


class SuiteBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    parent_id: uuid.UUID | None = fk_field("suites.id", ondelete="CASCADE", nullable=True, index=True)
    position: int = Field(default=0)


class Suite(SuiteBase, table=True):
    __tablename__ = "suites"
    __table_args__ = (sa.Index("ix_suites_project_id_parent_id", "project_id", "parent_id"),)

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE")
    settings: dict[str, Any] = json_field(dict)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
    deleted_at: datetime | None = timestamp_field()

    def execution_settings(self) -> ExecutionSettings:
        return ExecutionSettings.model_validate(self.settings or {})


class SuiteCreate(SuiteBase):
    settings: ExecutionSettings = Field(default_factory=ExecutionSettings)


class SuiteUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    parent_id: uuid.UUID | None = None
    position: int | None = None
    settings: ExecutionSettings | None = None


class SuitePublic(SuiteBase):
    id: uuid.UUID
    project_id: uuid.UUID
    settings: ExecutionSettings
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
