"""self-healing locators

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 03:38:18

Per-project healing mode and AI opt-in, the fingerprint of each test step from its last passing run, the
steps a test result healed, and the healing proposals editors review.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (for hand-written revisions; env.py renders sqlmodel types as sa types)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ai_settings",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_ai_settings_project_id_projects"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_ai_settings_updated_by_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_ai_settings")),
    )
    op.create_table(
        "healing_settings",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_healing_settings_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_healing_settings_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_healing_settings")),
    )
    op.create_table(
        "healing_fingerprints",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("test_case_id", sa.Uuid(), nullable=False),
        sa.Column("slot", sa.String(length=32), nullable=False),
        sa.Column("fingerprint", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["test_case_id"],
            ["test_cases.id"],
            name=op.f("fk_healing_fingerprints_test_case_id_test_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_healing_fingerprints")),
        sa.UniqueConstraint("test_case_id", "slot", name=op.f("uq_healing_fingerprints_test_case_id_slot")),
    )
    op.create_table(
        "healed_steps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("test_result_id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("from_locator", sa.String(length=2000), nullable=False),
        sa.Column("to_locator", sa.String(length=2000), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_healed_steps_run_id_runs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["test_result_id"],
            ["test_results.id"],
            name=op.f("fk_healed_steps_test_result_id_test_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_healed_steps")),
        sa.UniqueConstraint(
            "test_result_id", "step_index", name=op.f("uq_healed_steps_test_result_id_step_index")
        ),
    )
    with op.batch_alter_table("healed_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_healed_steps_run_id"), ["run_id"], unique=False)

    op.create_table(
        "healing_proposals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("test_case_id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=True),
        sa.Column("test_result_id", sa.Uuid(), nullable=True),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("new_version", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_healing_proposals_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_healing_proposals_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_healing_proposals_run_id_runs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["test_case_id"],
            ["test_cases.id"],
            name=op.f("fk_healing_proposals_test_case_id_test_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["test_result_id"],
            ["test_results.id"],
            name=op.f("fk_healing_proposals_test_result_id_test_results"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_healing_proposals")),
    )
    with op.batch_alter_table("healing_proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_healing_proposals_key"), ["key"], unique=False)
        batch_op.create_index(
            "ix_healing_proposals_project_id_status", ["project_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_healing_proposals_test_case_id"), ["test_case_id"], unique=False)



def downgrade() -> None:
    op.drop_table("ai_settings")
    with op.batch_alter_table("healing_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_healing_proposals_test_case_id"))
        batch_op.drop_index("ix_healing_proposals_project_id_status")
        batch_op.drop_index(batch_op.f("ix_healing_proposals_key"))

    op.drop_table("healing_proposals")
    with op.batch_alter_table("healed_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_healed_steps_run_id"))

    op.drop_table("healed_steps")
    op.drop_table("healing_fingerprints")
    op.drop_table("healing_settings")
