"""Shared pieces of every table: the constraint naming convention, id/timestamp/foreign-key
field helpers. Imported first by `traceiq_app.models` so the convention is in place before
any table is declared.
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from traceiq_app.models.types import StrEnumType, UTCDateTime, utcnow
from traceiq_app.services.platform.ids import uuid7

# Stable constraint/index names on SQLite and Postgres alike (and in migrations: alembic needs
# names to drop or alter constraints, especially in SQLite batch mode). Keep generated names
# under Postgres' 63-character limit.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

OnDelete = Literal["CASCADE", "SET NULL", "RESTRICT"]

__all__ = [
    "NAMING_CONVENTION",
    "StrEnumType",
    "UTCDateTime",
    "created_at_field",
    "enum_field",
    "fk_field",
    "id_field",
    "json_field",
    "timestamp_field",
    "updated_at_field",
    "utcnow",
    "uuid7",
]


def id_field() -> Any:
    """UUIDv7 primary key, generated in Python (so it is known before the INSERT)."""
    return Field(default_factory=uuid7, primary_key=True)


def fk_field(target: str, *, ondelete: OnDelete, nullable: bool = False, index: bool = False) -> Any:
    """A foreign key to `table.id`. Nullable ones default to None."""
    if nullable:
        return Field(default=None, foreign_key=target, ondelete=ondelete, nullable=True, index=index)
    return Field(foreign_key=target, ondelete=ondelete, nullable=False, index=index)


def created_at_field(index: bool = False) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=index)


def updated_at_field() -> Any:
    """Set on insert and refreshed by SQLAlchemy on every ORM/Core UPDATE of the row."""
    return Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        nullable=False,
        sa_column_kwargs={"onupdate": utcnow},
    )


def timestamp_field(index: bool = False) -> Any:
    """A nullable aware timestamp (started_at, deleted_at, expires_at, ...)."""
    return Field(default=None, sa_type=UTCDateTime, nullable=True, index=index)


def json_field(default_factory: Any = dict, *, nullable: bool = False) -> Any:
    """A JSON column (`sa.JSON`: JSON on Postgres, text on SQLite).

    Mutating the stored dict/list in place is NOT tracked: assign a new value
    (`p.settings = {**p.settings, "base_url": u}`) or call `sqlalchemy.orm.attributes.flag_modified`.
    """
    if nullable:
        return Field(default=None, sa_type=sa.JSON, nullable=True)
    return Field(default_factory=default_factory, sa_type=sa.JSON, nullable=False)


def enum_field(enum_cls: Any, default: Any = None, *, index: bool = False) -> Any:
    """A StrEnum stored as VARCHAR(32); required when no default is given."""
    if default is None:
        return Field(sa_type=StrEnumType(enum_cls), nullable=False, index=index)
    return Field(default=default, sa_type=StrEnumType(enum_cls), nullable=False, index=index)
