"""Web sign-in sessions. The cookie carries a random token; only its SHA-256 hex digest is
stored (`token_hash`), so a database leak does not leak live sessions. A session is valid
while `revoked_at` is None and `expires_at` is in the future."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from traceiq_app.models.base import created_at_field, fk_field, id_field
from traceiq_app.models.types import UTCDateTime


class WebSession(SQLModel, table=True):
    __tablename__ = "sessions"

    id: uuid.UUID = id_field()
    token_hash: str = Field(max_length=64, unique=True)
    user_id: uuid.UUID = fk_field("users.id", ondelete="CASCADE", index=True)
    created_at: datetime = created_at_field()
    last_seen_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    user_agent: str | None = Field(default=None, max_length=512)
    ip: str | None = Field(default=None, max_length=45)
