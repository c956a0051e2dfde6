"""two-factor sign-in, e-mail verification, organization network settings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 15:00:00

Users: `email_verified_at` (existing users count as verified from their creation: they were
trusted before verification existed), the TOTP secret (encrypted), its enabling time and the
last accepted time step; `recovery_codes` (SHA-256 only). Organizations: `require_two_factor`,
`allowed_hosts` (added to every project's list) and `allow_link_local`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (for hand-written revisions; env.py renders sqlmodel types as sa types)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("totp_last_counter", sa.BigInteger(), nullable=True))
    op.execute("UPDATE users SET email_verified_at = created_at")

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("require_two_factor", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("allowed_hosts", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("allow_link_local", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    # The models have no server defaults (Python fills them): drop them again so there is no drift.
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.alter_column("require_two_factor", server_default=None)
        batch_op.alter_column("allowed_hosts", server_default=None)
        batch_op.alter_column("allow_link_local", server_default=None)

    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))
    op.drop_table("recovery_codes")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("allow_link_local")
        batch_op.drop_column("allowed_hosts")
        batch_op.drop_column("require_two_factor")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_counter")
        batch_op.drop_column("totp_enabled_at")
        batch_op.drop_column("totp_secret")
        batch_op.drop_column("email_verified_at")
