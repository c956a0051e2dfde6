"""`result_daily`: results per project, UTC day, status and dimension (branch, environment,
browser, folder) and tag, kept in step with the facts by `apply` (called by `facts.record_run` in the
same transaction, with the facts it adds and those it replaces) through atomic upserts
(`n = n + delta`), so runs closing at the same time in several workers all count.
`rebuild` recomputes a project's rows from its facts (seeding, repairs)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from traceiq_app.models import ResultDaily, ResultFact, uuid7

Key = tuple[str, str, str, str, str, str, str]  # day, status, branch, environment id, browser, suite id, tag
DIMS = ("day", "status", "branch", "environment_id", "browser", "suite_id", "tag")


def day_of(value: datetime | None) -> str:
    return value.astimezone(UTC).date().isoformat() if value is not None else ""


def key_of(day: str, status: str, branch: Any, environment_id: Any, browser: Any, suite_id: Any,
           tag: str = "") -> Key:
    return (day, str(status), str(branch or ""), str(environment_id or ""), str(browser or ""), str(suite_id or ""),
            tag)


def tags_of(tags: str | None) -> list[str]:
    """The tags of a fact (stored as ",a,b,"), each once."""
    return sorted({t[:100] for t in (tags or "").split(",") if t})


def keys_of(finished_at: datetime | None, status: str, branch: Any, environment_id: Any, browser: Any,
            suite_id: Any, tags: str | None) -> list[Key]:
    """The rows one fact counts in: the all-results row (tag "") and one per tag."""
    day = day_of(finished_at)
    return [key_of(day, status, branch, environment_id, browser, suite_id, t) for t in ["", *tags_of(tags)]]


def counts(facts: Iterable[ResultFact]) -> Counter[Key]:
    return Counter(k for f in facts
                   for k in keys_of(f.finished_at, f.status, f.branch, f.environment_id, f.browser, f.suite_id, f.tags))


def apply(session: Session, project_id: uuid.UUID, delta: Counter[Key]) -> None:
    """Add `delta` (may be negative) to the project's daily rows."""
    changes = {k: v for k, v in delta.items() if v}
    if not changes:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    table: Any = ResultDaily.__table__  # type: ignore[attr-defined]
    for key, n in sorted(changes.items()):
        stmt = insert(table).values(id=uuid7(), project_id=project_id, n=n, **dict(zip(DIMS, key, strict=True)))
        session.execute(stmt.on_conflict_do_update(index_elements=["project_id", *DIMS],
                                                   set_={"n": table.c.n + stmt.excluded.n}))
    if any(v < 0 for v in changes.values()):
        session.execute(sa.delete(ResultDaily).where(col(ResultDaily.project_id) == project_id,
                                                     col(ResultDaily.n) <= 0))


def rebuild(session: Session, project_id: uuid.UUID, chunk: int = 50_000) -> int:
    """Recompute the project's daily rows from its facts; returns how many rows there are."""
    session.execute(sa.delete(ResultDaily).where(col(ResultDaily.project_id) == project_id))
    total: Counter[Key] = Counter()
    stmt = sa.select(col(ResultFact.finished_at), col(ResultFact.status), col(ResultFact.branch),
                     col(ResultFact.environment_id), col(ResultFact.browser), col(ResultFact.suite_id),
                     col(ResultFact.tags)).where(col(ResultFact.project_id) == project_id)
    for part in session.execute(stmt.execution_options(yield_per=chunk)).partitions(chunk):
        total.update(k for r in part for k in keys_of(*r))
    values: list[dict[str, Any]] = [{"id": uuid7(), "project_id": project_id, "n": n,
                                     **dict(zip(DIMS, key, strict=True))} for key, n in total.items() if n]
    if values:
        session.execute(sa.insert(ResultDaily), values)
    return len(values)
