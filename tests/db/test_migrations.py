"""The alembic chain: applies on empty SQLite and Postgres databases, matches the models
exactly (no autogenerate drift), goes down and up again, works from any cwd and from several
processes at once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import traceiq_app.models  # noqa: F401
from traceiq_app.services.platform.migrations import (
    alembic_config,
    current_revision,
    downgrade,
    head_revision,
    project_root,
    upgrade_to_head,
)
from traceiq_app.settings import reset_settings_cache

pytestmark = pytest.mark.timeout(180)

EXPECTED_TABLES = {
    "notification_channels",
    "notification_rules",
    "notification_deliveries",
    "notification_attempts",
    "user_notifications",
    "notification_preferences",
    "organizations",
    "retention_rules",
    "users",
    "organization_members",
    "project_members",
    "projects",
    "suites",
    "test_cases",
    "test_case_versions",
    "environments",
    "runs",
    "result_facts",
    "result_daily",
    "analytics_settings",
    "test_flaky_states",
    "quarantines",
    "test_results",
    "step_results",
    "artifacts",
    "schedules",
    "api_tokens",
    "audit_log",
    "sessions",
    "invitations",
    "recovery_codes",
    "healing_settings",
    "healing_fingerprints",
    "healed_steps",
    "healing_proposals",
    "manual_runs",
    "manual_run_tests",
    "manual_step_results",
    "manual_attachments",
    "manual_run_activity",
    "ai_settings",
    "defects",
    "defect_events",
    "defect_comments",
    "defect_watchers",
    "defect_attachments",
    "defect_occurrences",
    "defect_saved_filters", "defect_org_filters",
    "custom_fields",
    "test_case_field_values",
}


def _drift(url: str) -> list[object]:
    """What autogenerate would still emit: must be empty."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            mc = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            return list(compare_metadata(mc, SQLModel.metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return current_revision(conn)
    finally:
        engine.dispose()


def test_it_registers_every_table_on_the_metadata() -> None:
    assert set(SQLModel.metadata.tables) == EXPECTED_TABLES


def test_it_has_one_linear_chain_with_a_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    for rev in script.walk_revisions():
        assert not isinstance(rev.down_revision, tuple | list), f"merge revision {rev.revision}"


def test_it_keeps_application_code_out_of_migration_files() -> None:
    for path in (project_root() / "alembic" / "versions").glob("*.py"):
        text = path.read_text()
        assert not re.search(r"^\s*(from|import)\s+traceiq_app", text, re.M), f"{path.name} imports app code"
        assert "sqlmodel.sql.sqltypes" not in text, f"{path.name} depends on sqlmodel internals"


def test_it_applies_every_migration_to_an_empty_database_without_drift(empty_db_url: str) -> None:
    upgrade_to_head(empty_db_url)

    assert _revision(empty_db_url) == head_revision()
    assert _tables(empty_db_url) == EXPECTED_TABLES | {"alembic_version"}
    assert _drift(empty_db_url) == []


def test_it_downgrades_to_base_and_upgrades_again(empty_db_url: str) -> None:
    upgrade_to_head(empty_db_url)

    downgrade(empty_db_url, "base")
    assert _tables(empty_db_url) <= {"alembic_version"}
    assert _revision(empty_db_url) is None

    upgrade_to_head(empty_db_url)
    assert _revision(empty_db_url) == head_revision()
    assert _drift(empty_db_url) == []


def test_it_walks_every_revision_up_down_and_up_again(empty_db_url: str) -> None:
    """The "stairway": each migration's downgrade undoes exactly its upgrade."""
    script = ScriptDirectory.from_config(alembic_config())
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    from alembic import command

    cfg = alembic_config(empty_db_url)
    for rev in revisions:
        command.upgrade(cfg, rev)
        command.downgrade(cfg, "-1")
        command.upgrade(cfg, rev)
        assert _revision(empty_db_url) == rev
    assert _drift(empty_db_url) == []


def test_it_migrates_from_any_working_directory(sqlite_url: str, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = "import sys; from traceiq_app.services.platform.migrations import upgrade_to_head; upgrade_to_head(sys.argv[1])"
    proc = subprocess.run(
        [sys.executable, "-c", code, sqlite_url], cwd=elsewhere, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert _revision(sqlite_url) == head_revision()
    assert not (elsewhere / "data").exists()


def test_it_runs_the_alembic_cli_from_another_directory(sqlite_url: str, tmp_path: Path) -> None:
    alembic_bin = Path(sys.executable).with_name("alembic")
    ini = project_root() / "alembic.ini"
    proc = subprocess.run(
        [str(alembic_bin), "-c", str(ini), "-x", f"url={sqlite_url}", "upgrade", "head"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert _revision(sqlite_url) == head_revision()


def test_it_defaults_to_the_settings_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("TRACEIQ_DATA_DIR", str(tmp_path / "data"))
    reset_settings_cache()
    try:
        upgrade_to_head()
    finally:
        monkeypatch.undo()
        reset_settings_cache()
    db_file = tmp_path / "data" / "traceiq.db"
    assert db_file.is_file()
    assert _revision(f"sqlite:///{db_file}") == head_revision()


def test_it_migrates_safely_from_several_processes_at_once(empty_db_url: str) -> None:
    """Every web/worker process migrates on start: concurrent upgrades must all succeed."""
    code = "import sys; from traceiq_app.services.platform.migrations import upgrade_to_head; upgrade_to_head(sys.argv[1])"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, empty_db_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(4)
    ]
    outcomes = [(p.wait(timeout=150), p.stderr.read() if p.stderr else "") for p in procs]
    for proc in procs:
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    assert [rc for rc, _ in outcomes] == [0, 0, 0, 0], "\n".join(err for _, err in outcomes)
    assert _revision(empty_db_url) == head_revision()
    assert _drift(empty_db_url) == []
