"""Organizations: the tenants. Every project, token and audit entry belongs to one."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from traceiq_app.models.base import created_at_field, id_field, json_field, timestamp_field


class Organization(SQLModel, table=True):
    __tablename__ = "organizations"

    id: uuid.UUID = id_field()
    name: str = Field(max_length=200)
    slug: str = Field(max_length=100, unique=True)
    created_at: datetime = created_at_field()
    deleted_at: datetime | None = timestamp_field()
    # Security settings (owners; see docs/security.md): members must use two-factor sign-in;
    # hosts every project's tests may reach (added to each project's own list); lift the
    # deny rule for link-local / cloud-metadata addresses.
    require_two_factor: bool = Field(default=False)
    allowed_hosts: list[str] = json_field(list)
    allow_link_local: bool = Field(default=False)
