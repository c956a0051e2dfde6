"""Database fixtures: throwaway SQLite files and throwaway Postgres databases.

Postgres: server from TRACEIQ_TEST_PG_ADMIN_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres,
trust auth). Each test gets its own `CREATE DATABASE traceiq_t_<random>` (safe under xdist)
that is dropped afterwards. Unreachable server: the test FAILS when $CI is set, else skips.

`db_url` / `session` are parametrized over both backends, so a model test runs on each.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import Session

from traceiq_app.db import make_engine
from traceiq_app.services.platform.migrations import upgrade_to_head

PG_ADMIN_URL = os.environ.get(
    "TRACEIQ_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ["sqlite", "postgres"]


def _pg_admin_engine() -> sa.engine.Engine:
    return sa.create_engine(
        PG_ADMIN_URL,
        isolation_level="AUTOCOMMIT",
        poolclass=sa.pool.NullPool,
        connect_args={"connect_timeout": 5},
    )


def _require_postgres() -> None:
    engine = _pg_admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any connection problem means "no server"
        reason = f"Postgres unreachable at {make_url(PG_ADMIN_URL).render_as_string()}: {exc!r}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set: Postgres tests must run)")
        pytest.skip(f"{reason}; set CI=1 to make this a failure")
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'traceiq.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a brand-new empty Postgres database, dropped after the test."""
    _require_postgres()
    name = f"traceiq_t_{uuid.uuid4().hex[:16]}"
    admin = _pg_admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest) -> str:
    """An empty database on each backend."""
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def db_url(empty_db_url: str) -> str:
    """A database on each backend, migrated to head."""
    upgrade_to_head(empty_db_url)
    return empty_db_url


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.engine.Engine]:
    """The application's engine (SQLite: WAL + foreign keys on) on a migrated database."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: sa.engine.Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s
