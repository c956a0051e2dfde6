"""Database engine and sessions. The one rule for DB access: only `traceiq_app.services`
(and jobs through services) open sessions and run queries; pages/states call services.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from traceiq_app.settings import get_settings


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # WAL lets the web process read while workers write; foreign keys are off by default.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


@lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    from traceiq_app.services.observability import tracing

    engine = make_engine(url)
    tracing.instrument_engine(engine)  # SQL spans when tracing is on
    return engine


def get_engine() -> Engine:
    return _engine_for(get_settings().database_url_effective)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def session_or_scope(session: Session | None) -> Iterator[Session]:
    """The caller's session (its transaction: the caller commits, e.g. to make several service
    calls all or nothing) or, without one, a `session_scope()` of its own."""
    if session is not None:
        yield session
        return
    with session_scope() as own:
        yield own
