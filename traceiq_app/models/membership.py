"""Who may do what: organization membership (owner/admin/member) and project membership
(owner/admin/editor/viewer). One row per (org, user) and per (project, user)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import SQLModel

from traceiq_app.models.base import created_at_field, enum_field, fk_field, id_field
from traceiq_app.models.enums import OrgRole, ProjectRole


class OrganizationMember(SQLModel, table=True):
    __tablename__ = "organization_members"
    __table_args__ = (sa.UniqueConstraint("org_id", "user_id"),)

    id: uuid.UUID = id_field()
    # The unique constraint's leading column serves lookups by org.
    org_id: uuid.UUID = fk_field("organizations.id", ondelete="CASCADE")
    user_id: uuid.UUID = fk_field("users.id", ondelete="CASCADE", index=True)
    role: OrgRole = enum_field(OrgRole, OrgRole.member)
    created_at: datetime = created_at_field()


class ProjectMember(SQLModel, table=True):
    __tablename__ = "project_members"
    __table_args__ = (sa.UniqueConstraint("project_id", "user_id"),)

    id: uuid.UUID = id_field()
    project_id: uuid.UUID = fk_field("projects.id", ondelete="CASCADE")
    user_id: uuid.UUID = fk_field("users.id", ondelete="CASCADE", index=True)
    role: ProjectRole = enum_field(ProjectRole, ProjectRole.viewer)
    created_at: datetime = created_at_field()
