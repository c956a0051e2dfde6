"""Alembic environment for TraceIQ (SQLite and Postgres).

Database URL, first found: `-x url=...` on the command line; `config.attributes["url"]` (set by
`traceiq_app.services.platform.migrations`); `sqlalchemy.url` in the config; the settings'
`database_url_effective` (DATABASE_URL, else SQLite under TRACEIQ_DATA_DIR). A caller can also
pass an open connection in `config.attributes["connection"]`.

Safe to run from several processes at once (every web/worker process applies migrations on
start): on Postgres the migration transaction takes an advisory lock; on SQLite it starts with
BEGIN IMMEDIATE (DDL is transactional there too, with the pysqlite driver's own transaction
handling turned off). The second process waits, then finds the schema at head.

SQLite specifics: batch mode (`render_as_batch`) for ALTERs, and foreign keys OFF while
migrating: batch mode copies and drops tables, and with foreign keys on, dropping a parent
table would run its ON DELETE CASCADE actions and empty the child tables. Integrity is checked
with `PRAGMA foreign_key_check` before committing instead.
"""

from __future__ import annotations

import logging
from logging.config import fileConfig
from typing import Any

import sqlalchemy as sa
from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

import traceiq_app.models  # noqa: F401  (registers every table on SQLModel.metadata)

config = context.config
log = logging.getLogger("alembic.env.traceiq")

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata

# Any constant; shared by every TraceIQ process migrating the same Postgres database.
PG_MIGRATION_LOCK_KEY = 0x7472_6163_6569_71  # "traceiq"


def database_url() -> str:
    x_url = context.get_x_argument(as_dictionary=True).get("url")
    if x_url:
        return x_url
    attr_url = config.attributes.get("url")
    if attr_url:
        return str(attr_url)
    ini_url = config.get_main_option("sqlalchemy.url")
    if ini_url and "driver://" not in ini_url:
        return ini_url
    from traceiq_app.settings import get_settings

    return get_settings().database_url_effective


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Render our (and sqlmodel's) TypeDecorators as their portable underlying type, so
    migration files depend on SQLAlchemy only and stay valid when application code changes."""
    if type_ == "type" and isinstance(obj, sa.types.TypeDecorator):
        impl = obj.impl if isinstance(obj.impl, sa.types.TypeEngine) else obj.impl_instance
        return f"sa.{impl!r}"
    return False


def configure_kwargs(dialect_name: str) -> dict[str, Any]:
    is_sqlite = dialect_name == "sqlite"
    return {
        "target_metadata": target_metadata,
        "compare_type": True,
        "compare_server_default": True,
        "render_as_batch": is_sqlite,
        "render_item": render_item,
        # With the driver's implicit transactions off (see make_engine) SQLite DDL is
        # transactional: one transaction for the whole upgrade, like on Postgres.
        "transactional_ddl": True if is_sqlite else None,
    }


def make_engine(url: str) -> sa.engine.Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, poolclass=NullPool)

    if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
        from pathlib import Path

        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, poolclass=NullPool, connect_args={"timeout": 120})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=OFF")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Take the write lock up front: a concurrent migrator waits here, then sees head.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def run_migrations_offline() -> None:
    url = database_url()
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **configure_kwargs(make_url(url).get_backend_name()),
    )
    with context.begin_transaction():
        context.run_migrations()


def _migrate(connection: Connection, *, own_connection: bool) -> None:
    dialect = connection.dialect.name
    context.configure(connection=connection, **configure_kwargs(dialect))
    with context.begin_transaction():
        if own_connection and dialect == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_MIGRATION_LOCK_KEY})
        context.run_migrations()
        if dialect == "sqlite":
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"foreign key violations after migrating: {problems[:20]}")


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        _migrate(given, own_connection=False)
        return
    engine = make_engine(database_url())
    try:
        with engine.connect() as connection:
            _migrate(connection, own_connection=True)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
