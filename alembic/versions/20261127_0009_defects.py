"""defects and custom fields

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-27 07:30:00

Defects (DEF-n per project) with their history, comments, watchers, attachments and the failures
counted against them; per-user saved defect filters; per-project custom fields and the custom
field values of test cases.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (for hand-written revisions; env.py renders sqlmodel types as sa types)
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _fk(col: str, table: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([col], [f"{target}.id"], name=op.f(f"fk_{table}_{col}_{target}"), ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "defects",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.String(length=20000), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("reporter_id", sa.Uuid(), nullable=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("test_case_id", sa.Uuid(), nullable=True),
        sa.Column("signature", sa.String(length=40), nullable=True),
        sa.Column("source", sa.JSON(), nullable=False),
        sa.Column("custom", sa.JSON(), nullable=False),
        sa.Column("external_url", sa.String(length=2000), nullable=True),
        sa.Column("external_key", sa.String(length=100), nullable=True),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("last_seen_at", TS, nullable=True),
        sa.Column("recurred", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        _fk("project_id", "defects", "projects", "CASCADE"),
        _fk("reporter_id", "defects", "users", "SET NULL"),
        _fk("assignee_id", "defects", "users", "SET NULL"),
        _fk("test_case_id", "defects", "test_cases", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defects")),
        sa.UniqueConstraint("project_id", "number", name=op.f("uq_defects_project_id_number")),
    )
    op.create_index("ix_defects_project_id_status", "defects", ["project_id", "status"])
    op.create_index("ix_defects_project_id_signature", "defects", ["project_id", "signature"])
    op.create_index(op.f("ix_defects_test_case_id"), "defects", ["test_case_id"])
    op.create_table(
        "defect_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("defect_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("old", sa.String(length=2000), nullable=True),
        sa.Column("new", sa.String(length=2000), nullable=True),
        _fk("defect_id", "defect_events", "defects", "CASCADE"),
        _fk("user_id", "defect_events", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defect_events")),
    )
    op.create_index(op.f("ix_defect_events_defect_id"), "defect_events", ["defect_id"])
    op.create_table(
        "defect_comments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("defect_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.String(length=10000), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("defect_id", "defect_comments", "defects", "CASCADE"),
        _fk("user_id", "defect_comments", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defect_comments")),
    )
    op.create_index(op.f("ix_defect_comments_defect_id"), "defect_comments", ["defect_id"])
    op.create_table(
        "defect_watchers",
        sa.Column("defect_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        _fk("defect_id", "defect_watchers", "defects", "CASCADE"),
        _fk("user_id", "defect_watchers", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("defect_id", "user_id", name=op.f("pk_defect_watchers")),
    )
    op.create_table(
        "defect_attachments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("defect_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=500), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("defect_id", "defect_attachments", "defects", "CASCADE"),
        _fk("user_id", "defect_attachments", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defect_attachments")),
    )
    op.create_index(op.f("ix_defect_attachments_defect_id"), "defect_attachments", ["defect_id"])
    op.create_table(
        "defect_occurrences",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("defect_id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=True),
        sa.Column("test_result_id", sa.Uuid(), nullable=True),
        sa.Column("test_key", sa.String(length=300), nullable=False),
        sa.Column("test_name", sa.String(length=300), nullable=False),
        sa.Column("browser", sa.String(length=32), nullable=False),
        sa.Column("at", TS, nullable=False),
        _fk("defect_id", "defect_occurrences", "defects", "CASCADE"),
        _fk("run_id", "defect_occurrences", "runs", "SET NULL"),
        _fk("test_result_id", "defect_occurrences", "test_results", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defect_occurrences")),
        sa.UniqueConstraint("defect_id", "run_id", "test_key", "browser",
                            name=op.f("uq_defect_occurrences_defect_id_run_id_test_key_browser")),
    )
    op.create_index(op.f("ix_defect_occurrences_defect_id"), "defect_occurrences", ["defect_id"])
    op.create_table(
        "defect_saved_filters",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("project_id", "defect_saved_filters", "projects", "CASCADE"),
        _fk("user_id", "defect_saved_filters", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defect_saved_filters")),
        sa.UniqueConstraint("project_id", "user_id", "name", name=op.f("uq_defect_saved_filters_project_id_user_id_name")),
    )
    op.create_table(
        "custom_fields",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("applies_to", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("project_id", "custom_fields", "projects", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_fields")),
        sa.UniqueConstraint("project_id", "applies_to", "key", name=op.f("uq_custom_fields_project_id_applies_to_key")),
    )
    op.create_table(
        "test_case_field_values",
        sa.Column("test_case_id", sa.Uuid(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        _fk("test_case_id", "test_case_field_values", "test_cases", "CASCADE"),
        sa.PrimaryKeyConstraint("test_case_id", name=op.f("pk_test_case_field_values")),
    )


def downgrade() -> None:
    for table in ("test_case_field_values", "custom_fields", "defect_saved_filters", "defect_occurrences",
                  "defect_attachments", "defect_watchers", "defect_comments", "defect_events"):
        op.drop_table(table)
    op.drop_index(op.f("ix_defects_test_case_id"), table_name="defects")
    op.drop_index("ix_defects_project_id_signature", table_name="defects")
    op.drop_index("ix_defects_project_id_status", table_name="defects")
    op.drop_table("defects")
