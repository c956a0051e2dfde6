"""video per run

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-27 07:30:00

Each run records video off / on failure / always (`runs.video`: "off", "failures", "on"), chosen in
the run dialog; the project's execution settings hold the default.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("video", sa.String(length=32), nullable=False, server_default="off"))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("video")
