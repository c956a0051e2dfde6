"""Defects (DEF-n per project) with their history, comments, watchers and attachments, the
failure clusters they track, per-user saved filters, and per-project custom fields (definitions,
and the values of test cases; a defect keeps its values in `Defect.custom`)."""

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


class Defect(SQLModel, table=True):
    __tablename__ = "defects"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "number"),
        sa.Index("ix_defects_project_id_status", "project_id", "status"),
        sa.Index("ix_defects_project_id_signature", "project_id", "signature"),
    )

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE")
    number: int = Field()  # DEF-<number>, claimed once per project (unique)
    title: str = Field(max_length=300)
    description: str = Field(default="", max_length=20000)  # Markdown
    status: str = Field(default="new", max_length=32)
    severity: str = Field(default="major", max_length=16)
    priority: str = Field(default="medium", max_length=16)
    reporter_id: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    assignee_id: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    test_case_id: uuid.UUID | None = fk_field("test_cases.id", ondelete="SET NULL", nullable=True, index=True)
    signature: str | None = Field(default=None, max_length=40)  # the failure cluster it tracks
    source: dict[str, Any] = json_field()  # test_result_id / run_id / manual_result / browser ...
    custom: dict[str, Any] = json_field()  # custom field values by field key
    external_url: str | None = Field(default=None, max_length=2000)
    external_key: str | None = Field(default=None, max_length=100)
    occurrences: int = Field(default=1)
    last_seen_at: datetime | None = timestamp_field()
    recurred: bool = Field(default=False)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
    closed_at: datetime | None = timestamp_field()


class DefectEvent(SQLModel, table=True):
    """One change of a defect: who, when, which field, from what to what."""

    __tablename__ = "defect_events"

    id: uuid.UUID = id_field()
    defect_id: uuid.UUID = fk_field("defects.id", ondelete="CASCADE", index=True)
    user_id: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    at: datetime = created_at_field()
    field: str = Field(max_length=64)
    old: str | None = Field(default=None, max_length=2000)
    new: str | None = Field(default=None, max_length=2000)


class DefectComment(SQLModel, table=True):
    __tablename__ = "defect_comments"

    id: uuid.UUID = id_field()
    defect_id: uuid.UUID = fk_field("defects.id", ondelete="CASCADE", index=True)
    user_id: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    body: str = Field(max_length=10000)
    created_at: datetime = created_at_field()


class DefectWatcher(SQLModel, table=True):
    __tablename__ = "defect_watchers"

    defect_id: uuid.UUID = Field(foreign_key="defects.id", ondelete="CASCADE", primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)


class DefectAttachment(SQLModel, table=True):
    """A file kept in artifact storage (key `defects/<project>/<defect>/<id>`), served only
    through the permission-checked download route."""

    __tablename__ = "defect_attachments"

    id: uuid.UUID = id_field()
    defect_id: uuid.UUID = fk_field("defects.id", ondelete="CASCADE", index=True)
    user_id: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int = Field(default=0)
    storage_key: str = Field(max_length=500)
    created_at: datetime = created_at_field()


class DefectSavedFilter(SQLModel, table=True):
    __tablename__ = "defect_saved_filters"
    __table_args__ = (sa.UniqueConstraint("project_id", "user_id", "name"),)

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE")
    user_id: uuid.UUID = fk_field("users.id", ondelete="CASCADE")
    name: str = Field(max_length=100)
    query: dict[str, Any] = json_field()
    created_at: datetime = created_at_field()


class DefectOrgFilter(SQLModel, table=True):
    """A user's saved filter of the organization-wide defects list (`/defects`)."""

    __tablename__ = "defect_org_filters"
    __table_args__ = (sa.UniqueConstraint("org_id", "user_id", "name"),)

    id: uuid.UUID = id_field()
    org_id: uuid.UUID = fk_field("organizations.id", ondelete="CASCADE")
    user_id: uuid.UUID = fk_field("users.id", ondelete="CASCADE")
    name: str = Field(max_length=100)
    query: dict[str, Any] = json_field()
    created_at: datetime = created_at_field()


class CustomField(SQLModel, table=True):
    """A project's custom field on test cases (`applies_to` "test") or defects ("defect")."""

    __tablename__ = "custom_fields"
    __table_args__ = (sa.UniqueConstraint("project_id", "applies_to", "key"),)

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE")
    applies_to: str = Field(max_length=16)
    key: str = Field(max_length=64)
    label: str = Field(max_length=100)
    kind: str = Field(max_length=16)  # text / number / select / multiselect / date
    options: list[str] = json_field(list)
    required: bool = Field(default=False)
    position: int = Field(default=0)
    created_at: datetime = created_at_field()


class TestCaseFieldValues(SQLModel, table=True):
    """The custom field values of one test case (by field key)."""

    __tablename__ = "test_case_field_values"

    test_case_id: uuid.UUID = Field(foreign_key="test_cases.id", ondelete="CASCADE", primary_key=True)
    values: dict[str, Any] = json_field()
    updated_at: datetime = updated_at_field()


class DefectOccurrence(SQLModel, table=True):
    """One failure counted against a defect (the failure that raised it, the ones attached by
    hand, and later failures of its cluster attached when their run closed)."""

    __tablename__ = "defect_occurrences"
    __table_args__ = (sa.UniqueConstraint("defect_id", "run_id", "test_key", "browser"),)

    id: uuid.UUID = id_field()
    defect_id: uuid.UUID = fk_field("defects.id", ondelete="CASCADE", index=True)
    run_id: uuid.UUID | None = fk_field("runs.id", ondelete="SET NULL", nullable=True)
    test_result_id: uuid.UUID | None = fk_field("test_results.id", ondelete="SET NULL", nullable=True)
    test_key: str = Field(default="", max_length=300)
    test_name: str = Field(default="", max_length=300)
    browser: str = Field(default="", max_length=32)
    at: datetime = created_at_field()
