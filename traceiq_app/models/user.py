"""Users. Emails are unique case-insensitively: they are stored lowercased (normalized when the
row is flushed, and a CHECK constraint refuses anything else), so look them up with
`User.email == normalize_email(typed)`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from traceiq_app.models.base import created_at_field, id_field, timestamp_field


def normalize_email(email: str) -> str:
    return email.strip().lower()


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.UniqueConstraint("oidc_issuer", "oidc_subject"),
    )

    id: uuid.UUID = id_field()
    email: str = Field(max_length=320, unique=True)
    display_name: str | None = Field(default=None, max_length=200)
    # argon2 hash; None for users who only sign in through OIDC.
    password_hash: str | None = Field(default=None, max_length=255)
    # OIDC identity ("iss" + "sub" claims) once the user signed in through a provider.
    oidc_issuer: str | None = Field(default=None, max_length=255)
    oidc_subject: str | None = Field(default=None, max_length=255)
    is_active: bool = Field(default=True)
    created_at: datetime = created_at_field()
    last_login_at: datetime | None = timestamp_field()


@sa.event.listens_for(User, "before_insert")
@sa.event.listens_for(User, "before_update")
def _normalize_email_on_flush(mapper: Any, connection: Any, target: User) -> None:
    # At flush time: SQLModel instances bypass attribute-event value rewriting.
    if isinstance(target.email, str) and target.email != normalize_email(target.email):
        target.email = normalize_email(target.email)
