"""Invitations to an organization. The link is a signed token carrying this row's id; the row is
what makes a link revocable and lets admins list what is pending.

Pending = neither accepted nor revoked, and `expires_at` still ahead. A revoked or expired row
makes its link useless even though the signature is still good."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from traceiq_app.models.base import created_at_field, enum_field, fk_field, id_field, timestamp_field
from traceiq_app.models.enums import OrgRole
from traceiq_app.models.types import UTCDateTime


class Invitation(SQLModel, table=True):
    __tablename__ = "invitations"

    id: uuid.UUID = id_field()
    org_id: uuid.UUID = fk_field("organizations.id", ondelete="CASCADE", index=True)
    email: str = Field(max_length=320)
    role: OrgRole = enum_field(OrgRole, OrgRole.member)
    invited_by_user_id: uuid.UUID | None = fk_field("users.id", ondelete="SET NULL", nullable=True)
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    accepted_at: datetime | None = timestamp_field()
    revoked_at: datetime | None = timestamp_field()
