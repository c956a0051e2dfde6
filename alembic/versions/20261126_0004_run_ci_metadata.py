"""run CI metadata

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 15:00:00

The public API's run `metadata` is {branch, commit, ci_url, pr}: branch and commit already have
columns (branch is filterable); this adds the CI job's URL and the pull/merge request.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("ci_url", sa.String(length=2000), nullable=True))
        batch.add_column(sa.Column("pr", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("pr")
        batch.drop_column("ci_url")
