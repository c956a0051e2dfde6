"""Cursor pagination for the public API: `?limit=&cursor=` -> one page + `next_cursor`.

Keyset, never OFFSET: a cursor names the last row of the page it came from, and the next page
is "the rows after it" in a total order ((created_at, id) or the UUIDv7 id alone, which grows
with creation time). So rows inserted while a client pages through a list never shift or
repeat the rows it has yet to see. Cursors are opaque to clients (URL-safe base64 of JSON).
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")


class BadCursor(ValueError):
    """The cursor was not made by us (or is from another list)."""

    def __init__(self) -> None:
        super().__init__("cursor: not a cursor from this list; start again without one")


@dataclass
class Page(Generic[T]):
    items: list[T] = field(default_factory=list)
    next_cursor: str | None = None


def encode_cursor(kind: str, *parts: Any) -> str:
    raw = json.dumps([kind, *[str(p) for p in parts]], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str, count: int) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        raise BadCursor() from None
    if not isinstance(data, list) or len(data) != count + 1 or data[0] != kind:
        raise BadCursor()
    return [str(x) for x in data[1:]]


def cursor_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise BadCursor() from None


def cursor_time(value: str) -> datetime:
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise BadCursor() from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def clamp(limit: int | None) -> int:
    return max(1, min(int(limit or DEFAULT_LIMIT), MAX_LIMIT))


def page_by_id(session: Session, stmt: Any, id_column: Any, kind: str, limit: int | None,
               cursor: str | None) -> Page[Any]:
    """Rows of `stmt` (a select of one entity) ordered by `id_column` ascending, after `cursor`."""
    n = clamp(limit)
    if cursor:
        (last,) = decode_cursor(kind, cursor, 1)
        stmt = stmt.where(id_column > cursor_uuid(last))
    rows = list(session.exec(stmt.order_by(id_column).limit(n + 1)).all())
    page: Page[Any] = Page(items=rows[:n])
    if len(rows) > n:
        page.next_cursor = encode_cursor(kind, rows[n - 1].id)
    return page


def newest_first(stmt: Any, created_column: Any, id_column: Any, kind: str, cursor: str | None) -> Any:
    """`stmt` restricted to the rows after `cursor` in (created_at DESC, id DESC) order, ordered so."""
    if cursor:
        stamp, last = decode_cursor(kind, cursor, 2)
        created, rid = cursor_time(stamp), cursor_uuid(last)
        stmt = stmt.where(created_column <= created, sa.or_(created_column < created, id_column < rid))
    return stmt.order_by(created_column.desc(), id_column.desc())
