"""organization-wide defect filters

Revision ID: 0012_defect_org
Revises: 0011
Create Date: 2026-11-27 10:30:00

Saved filters of the organization-wide defects list (/defects): per user and organization
(a project's saved filters stay in defect_saved_filters).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (for hand-written revisions; env.py renders sqlmodel types as sa types)
from alembic import op

revision: str = "0012_defect_org"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "defect_org_filters",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"],
                                name=op.f("fk_defect_org_filters_org_id_organizations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_defect_org_filters_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defect_org_filters")),
        sa.UniqueConstraint("org_id", "user_id", "name", name=op.f("uq_defect_org_filters_org_id_user_id_name")),
    )


def downgrade() -> None:
    op.drop_table("defect_org_filters")
