"""Column types shared by every table.

Both are `TypeDecorator`s over plain portable types, and `alembic/env.py` renders them in
migrations as their underlying type (`sa.DateTime(timezone=True)`, `sa.String(length=32)`), so
migration files never import application code.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.operators import OperatorType

ENUM_LENGTH = 32

E = TypeVar("E", bound=StrEnum)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC. Use this (never `datetime.utcnow()`)."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """`TIMESTAMP WITH TIME ZONE` on Postgres, text on SQLite; aware UTC datetimes both ways.

    SQLite has no time zones: a plain `DateTime(timezone=True)` silently drops the offset on
    write and returns naive values on read. This type converts every value to UTC before
    writing (so stored text sorts and compares correctly) and returns aware UTC datetimes from
    both databases. Naive datetimes are rejected: they are always a bug here.
    """

    impl = sa.DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def __repr__(self) -> str:
        return "DateTime(timezone=True)"

    def coerce_compared_value(self, op: OperatorType | None, value: Any) -> sa.types.TypeEngine[Any]:
        # `created_at > now - timedelta(...)` is fine; comparing with an interval must not bind
        # the interval through this type.
        if not isinstance(value, datetime):
            return sa.types.DateTime(timezone=True).coerce_compared_value(op, value)
        return self

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.utcoffset() is None:
            raise ValueError(
                "naive datetime given for a timezone-aware column; use "
                "traceiq_app.models.utcnow() or datetime.now(UTC)"
            )
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # Store '2026-11-21 08:30:00.000000' (UTC, no offset): uniform text that sorts.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class StrEnumType(sa.types.TypeDecorator[E]):
    """A `StrEnum` stored as a short VARCHAR (no database enum type, no CHECK constraint).

    Adding a member needs no migration. Writing a value that is not a member raises
    `ValueError` before it reaches the database. Reading a value that this code does not know
    (written by a newer release during a rolling deploy) returns the plain string instead of
    failing the whole query.
    """

    impl = sa.String
    cache_ok = True

    def __init__(self, enum_cls: type[E], length: int = ENUM_LENGTH) -> None:
        self.enum_cls = enum_cls
        self.length = length
        super().__init__(length=length)

    def __repr__(self) -> str:
        return f"String(length={self.length})"

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return self.enum_cls(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        try:
            return self.enum_cls(value)
        except ValueError:
            return value

    @property
    def python_type(self) -> type[E]:
        return self.enum_cls
