"""API tokens. The secret is shown once; only `token_hash` is stored. `prefix` is the public
lookup id embedded at the start of the token (e.g. "tiq_3f9a1c2b"), unique, so
authentication is one indexed lookup followed by a constant-time hash comparison.
`project_id` None = valid for every project of the org the scopes allow."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from traceiq_app.models.base import created_at_field, fk_field, id_field, json_field, timestamp_field


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_tokens"

    id: uuid.UUID = id_field()
    prefix: str = Field(max_length=32, unique=True)
    token_hash: str = Field(max_length=255)
    name: str = Field(max_length=200)
    scopes: list[str] = json_field(list)
    org_id: uuid.UUID = fk_field("organizations.id", ondelete="CASCADE", index=True)
    project_id: uuid.UUID | None = fk_field("projects.id", ondelete="CASCADE", nullable=True, index=True)
    # The owner: the token acts with (at most) this user's rights and dies with the user.
    user_id: uuid.UUID = fk_field("users.id", ondelete="CASCADE", index=True)
    expires_at: datetime | None = timestamp_field()
    last_used_at: datetime | None = timestamp_field()
    revoked_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
