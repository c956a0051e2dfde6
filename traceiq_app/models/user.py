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

from traceiq_app.models.base import created_at_field, fk_field, id_field, timestamp_field


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
    # When the user proved they receive mail at `email` (None: not yet; see services/accounts/verification).
    email_verified_at: datetime | None = timestamp_field()
    # TOTP two-factor sign-in: the shared secret, encrypted (secrets_crypto); set while enrolling,
    # in force once `totp_enabled_at` is set. `totp_last_counter` is the 30-second step of the
    # last accepted code, so a code works once.
    totp_secret: str | None = Field(default=None, max_length=512)
    totp_enabled_at: datetime | None = timestamp_field()
    totp_last_counter: int | None = Field(default=None, sa_type=sa.BigInteger)

    @property
    def is_verified(self) -> bool:
        """Does this user receive mail at `email`? (Invitations and notifications need it.)"""
        return self.email_verified_at is not None

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None


class RecoveryCode(SQLModel, table=True):
    """One-time two-factor recovery codes: only SHA-256 of the (80-bit random) code is stored."""

    __tablename__ = "recovery_codes"

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = fk_field("users.id", ondelete="CASCADE", index=True)
    code_hash: str = Field(max_length=64)
    created_at: datetime = created_at_field()
    used_at: datetime | None = timestamp_field()


@sa.event.listens_for(User, "before_insert")
@sa.event.listens_for(User, "before_update")
def _normalize_email_on_flush(mapper: Any, connection: Any, target: User) -> None:
    # At flush time: SQLModel instances bypass attribute-event value rewriting.
    if isinstance(target.email, str) and target.email != normalize_email(target.email):
        target.email = normalize_email(target.email)
