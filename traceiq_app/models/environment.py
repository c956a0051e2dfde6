"""Environments of a project (staging, production...): a base URL, plain variables, and
secrets. Secret values are only ever stored encrypted: `secrets_encrypted` is the ciphertext
of a JSON object {name: value} produced by the secrets service; `secret_names` lists the
names so pages can show them without decrypting. Never expose `secrets_encrypted`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from traceiq_app.models.base import created_at_field, fk_field, id_field, json_field, updated_at_field


class EnvironmentBase(SQLModel):
    name: str = Field(min_length=1, max_length=100)
    base_url: str | None = Field(default=None, max_length=2000)
    variables: dict[str, str] = json_field(dict)


class Environment(EnvironmentBase, table=True):
    __tablename__ = "environments"
    __table_args__ = (sa.UniqueConstraint("project_id", "name"),)

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE")
    secrets_encrypted: str | None = Field(default=None, sa_type=sa.Text)
    secret_names: list[str] = json_field(list)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class EnvironmentCreate(EnvironmentBase):
    # Plaintext from the API/UI; the service encrypts it into `secrets_encrypted`.
    secrets: dict[str, str] = Field(default_factory=dict)


class EnvironmentUpdate(SQLModel):
    """Partial update (`exclude_unset`). `secrets`, when given, replaces the whole set."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    base_url: str | None = Field(default=None, max_length=2000)
    variables: dict[str, str] | None = None
    secrets: dict[str, str] | None = None


class EnvironmentPublic(EnvironmentBase):
    id: uuid.UUID
    project_id: uuid.UUID
    secret_names: list[str]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Environment) -> EnvironmentPublic:
        data: dict[str, Any] = row.model_dump(exclude={"secrets_encrypted"})
        return cls.model_validate(data)
