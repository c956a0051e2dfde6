"""Test cases and their version history.

A test case stores the native test definition (`traceiq_app.engine.model.TestDefinition`)
split into columns: `name`, `description`, `tags`, `steps` (the list of step dicts) and
`options` (the definition's remaining fields: base_url, timeout_ms, step_timeout_ms,
viewport, variables, secrets, headers). `to_definition()` puts it back together.

Versioning: `version` starts at 1 and each saved change increments it. `test_case_versions`
holds one row per saved version INCLUDING the current one (append-only: write the row in
the same transaction as the change, see `TestCase.version_row`), so the history page is one
query and any two versions can be diffed; "earlier versions" are the rows with
`version < test_cases.version`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import model_validator
from sqlmodel import Field, SQLModel

from traceiq_app.engine.model import FORMAT_VERSION, TestDefinition
from traceiq_app.models.base import (
    created_at_field,
    enum_field,
    fk_field,
    id_field,
    json_field,
    timestamp_field,
    updated_at_field,
)
from traceiq_app.models.enums import SourceFormat, TestPriority

# TestDefinition fields kept in `options` (everything but name/description/tags/steps/version).
OPTION_KEYS = ("base_url", "timeout_ms", "step_timeout_ms", "viewport", "variables", "secrets", "headers")


def build_definition(
    name: str, description: str | None, tags: list[str], steps: list[Any], options: dict[str, Any]
) -> dict[str, Any]:
    """The native definition dict for these parts (not validated)."""
    data: dict[str, Any] = {"version": FORMAT_VERSION, "name": name}
    if description:
        data["description"] = description
    data.update({k: v for k, v in options.items() if k in OPTION_KEYS and v is not None})
    data["tags"] = list(tags)
    data["steps"] = list(steps)
    return data


def manual_definition(name: str, description: str | None, preconditions: str | None, tags: list[str],
                      steps: list[Any], attachments: list[Any]) -> dict[str, Any]:
    """What a manual test's versions store (diffed like automated ones: steps by content)."""
    data: dict[str, Any] = {"kind": "manual", "name": name}
    if description:
        data["description"] = description
    if preconditions:
        data["preconditions"] = preconditions
    data["tags"] = list(tags)
    data["steps"] = [{"action": str(s.get("action") or ""), "data": str(s.get("data") or ""),
                      "expected": str(s.get("expected") or "")} for s in steps if isinstance(s, dict)]
    if attachments:
        data["attachments"] = list(attachments)
    return data


def split_definition(definition: TestDefinition) -> dict[str, Any]:
    """Column values (name, description, tags, steps, options) for a validated definition."""
    data = definition.model_dump(mode="json", exclude_none=True)
    return {
        "name": data["name"],
        "description": data.get("description"),
        "tags": data.get("tags", []),
        "steps": data["steps"],
        "options": {k: data[k] for k in OPTION_KEYS if k in data},
    }


class TestCaseBase(SQLModel):
    __test__ = False  # not a pytest test class

    name: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, sa_type=sa.Text)
    suite_id: uuid.UUID | None = fk_field("suites.id", ondelete="CASCADE", nullable=True, index=True)
    tags: list[str] = json_field(list)
    priority: TestPriority = enum_field(TestPriority, TestPriority.medium)
    source_format: SourceFormat = enum_field(SourceFormat, SourceFormat.native)
    position: int = Field(default=0)


class TestCase(TestCaseBase, table=True):
    __tablename__ = "test_cases"
    __table_args__ = (sa.Index("ix_test_cases_project_id_suite_id", "project_id", "suite_id"),)

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE")
    steps: list[dict[str, Any]] = json_field(list)
    options: dict[str, Any] = json_field(dict)
    version: int = Field(default=1)
    # "automated" (engine steps) or "manual" (steps {"action", "data", "expected"}, preconditions)
    kind: str = Field(default="automated", max_length=16, sa_column_kwargs={"server_default": "automated"})
    preconditions: str | None = Field(default=None, sa_type=sa.Text)
    created_by: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
    deleted_at: datetime | None = timestamp_field()

    def definition(self) -> dict[str, Any]:
        """The full native definition as a JSON-able dict (what runs and versions store); for a
        manual test, its manual definition (kind, preconditions, steps with data/expected)."""
        if self.kind == "manual":
            return manual_definition(self.name, self.description, self.preconditions, self.tags or [],
                                     self.steps or [], (self.options or {}).get("attachments") or [])
        return build_definition(
            self.name, self.description, self.tags or [], self.steps or [], self.options or {}
        )

    def to_definition(self) -> TestDefinition:
        """The validated native definition (raises pydantic.ValidationError if invalid)."""
        return TestDefinition.model_validate(self.definition())

    def version_row(self, author_id: uuid.UUID | None) -> TestCaseVersion:
        """The history row for the current `version`; add it in the transaction that saved it."""
        return TestCaseVersion(
            test_case_id=self.id,
            version=self.version,
            definition=self.definition(),
            source_format=self.source_format,
            author_id=author_id,
        )


class _StepsValidated(SQLModel):
    @model_validator(mode="after")
    def _validate_definition(self) -> Any:
        steps = getattr(self, "steps", None)
        if steps is None:
            return self
        name = getattr(self, "name", None) or "untitled"
        definition = build_definition(
            name,
            getattr(self, "description", None),
            getattr(self, "tags", None) or [],
            steps,
            getattr(self, "options", None) or {},
        )
        # Located errors ("steps.3.target ...") straight from the engine's model.
        TestDefinition.model_validate(definition)
        return self


class TestCaseCreate(TestCaseBase, _StepsValidated):
    steps: list[dict[str, Any]] = Field(min_length=1)
    options: dict[str, Any] = Field(default_factory=dict)


class TestCaseUpdate(_StepsValidated):
    """Partial update: apply `model_dump(exclude_unset=True)`. Steps and options are checked
    against the engine model when given."""

    __test__ = False

    name: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = None
    suite_id: uuid.UUID | None = None
    tags: list[str] | None = None
    priority: TestPriority | None = None
    steps: list[dict[str, Any]] | None = Field(default=None, min_length=1)
    options: dict[str, Any] | None = None
    position: int | None = None


class TestCasePublic(TestCaseBase):
    id: uuid.UUID
    project_id: uuid.UUID
    steps: list[dict[str, Any]]
    options: dict[str, Any]
    version: int
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


class TestCaseVersion(SQLModel, table=True):
    __test__ = False
    __tablename__ = "test_case_versions"
    __table_args__ = (sa.UniqueConstraint("test_case_id", "version"),)

    id: uuid.UUID = id_field()
    test_case_id: uuid.UUID = fk_field("test_cases.id", ondelete="CASCADE")
    version: int
    definition: dict[str, Any] = json_field(dict)
    source_format: SourceFormat = enum_field(SourceFormat, SourceFormat.native)
    author_id: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    created_at: datetime = created_at_field()
