"""Projects: a product under test, inside an organization. `settings` holds the execution
settings every suite and test inherits (see `execution_settings`); `allowed_hosts` limits where
tests may navigate (empty: anywhere)."""

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

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$"


class ProjectBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    slug: str = Field(min_length=1, max_length=100, regex=SLUG_PATTERN)
    description: str | None = Field(default=None, max_length=2000)
    allowed_hosts: list[str] = json_field(list)


class Project(ProjectBase, table=True):
    __tablename__ = "projects"
    __table_args__ = (
        # Slugs are unique among live projects of an org; a soft-deleted project frees its slug.
        sa.Index(
            "uq_projects_org_id_slug",
            "org_id",
            "slug",
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        ),
    )

    id: uuid.UUID = id_field()
    org_id: uuid.UUID = fk_field("organizations.id", ondelete="CASCADE", index=True)
    settings: dict[str, Any] = json_field(dict)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
    deleted_at: datetime | None = timestamp_field()

    def execution_settings(self) -> ExecutionSettings:
        return ExecutionSettings.model_validate(self.settings or {})


class ProjectCreate(ProjectBase):
    settings: ExecutionSettings = Field(default_factory=ExecutionSettings)


class ProjectUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    slug: str | None = Field(default=None, min_length=1, max_length=100, regex=SLUG_PATTERN)
    description: str | None = Field(default=None, max_length=2000)
    allowed_hosts: list[str] | None = None
    settings: ExecutionSettings | None = None


class ProjectPublic(ProjectBase):
    id: uuid.UUID
    org_id: uuid.UUID
    settings: ExecutionSettings
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
