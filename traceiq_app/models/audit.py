"""The audit log: who did what to which object. Rows outlive their actor and project
(foreign keys SET NULL) and keep `actor_label` (email or token prefix at the time)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from traceiq_app.models.base import created_at_field, fk_field, id_field, json_field


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_org_id_created_at", "org_id", "created_at"),)

    id: uuid.UUID = id_field()
    org_id: uuid.UUID = fk_field("organizations.id", ondelete="CASCADE")
    project_id: uuid.UUID | None = fk_field("projects.id", ondelete="SET NULL", nullable=True)
    actor_user_id: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    actor_token_id: uuid.UUID | None = fk_field("api_tokens.id", ondelete="SET NULL", nullable=True)
    actor_label: str | None = Field(default=None, max_length=320)
    action: str = Field(max_length=100)  # "project.create", "run.cancel", "token.revoke", ...
    object_type: str | None = Field(default=None, max_length=50)
    object_id: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = json_field(dict)
    ip: str | None = Field(default=None, max_length=45)
    created_at: datetime = created_at_field()
