"""The dashboard's filters (date range, suite, tag, branch, environment), applied to facts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import Environment, ResultFact
from traceiq_app.services.analytics.errors import AnalyticsInvalid
from traceiq_app.services.catalog import listing
from traceiq_app.services.catalog.projects import NotFound


class FilterError(AnalyticsInvalid):
    """Bad input: `field` names what is wrong."""


@dataclass(frozen=True)
class Filters:
    since: datetime | None = None
    until: datetime | None = None
    suite_ids: frozenset[uuid.UUID] | None = None
    tag: str | None = None
    branch: str | None = None
    environment_id: uuid.UUID | None = None

    def apply(self, stmt: Any, table: Any = ResultFact) -> Any:
        if self.since is not None:
            stmt = stmt.where(col(table.finished_at) >= self.since)
        if self.until is not None:
            stmt = stmt.where(col(table.finished_at) < self.until)
        if self.suite_ids is not None:
            stmt = stmt.where(col(table.suite_id).in_(list(self.suite_ids)))
        if self.tag:
            # `tags != ''` lets the planner use the partial index of tagged facts
            stmt = stmt.where(col(table.tags) != "", col(table.tags).like(f"%,{self.tag},%"))
        if self.branch:
            stmt = stmt.where(col(table.branch) == self.branch)
        if self.environment_id is not None:
            stmt = stmt.where(col(table.environment_id) == self.environment_id)
        return stmt

    def as_query(self) -> dict[str, str]:
        out = {"since": self.since.isoformat() if self.since else "", "until": self.until.isoformat() if self.until else "",
               "tag": self.tag or "", "branch": self.branch or ""}
        return {k: v for k, v in out.items() if v}


def resolve(project_id: uuid.UUID, *, since: datetime | None = None, until: datetime | None = None,
            suite: str | None = None, tag: str | None = None, branch: str | None = None,
            environment: str | None = None) -> Filters:
    """Filters from user input (suite and environment by id or name). Raises FilterError."""
    if since is not None and until is not None and until <= since:
        raise FilterError("until", "must be after since")
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.utcoffset() is None:
            raise FilterError(name, "needs a time zone (e.g. 2026-11-01T00:00:00Z)")
    suite_ids = None
    if suite:
        try:
            suite_ids = frozenset(listing.suite_and_descendants(project_id, suite))
        except NotFound:
            raise FilterError("suite", f"no suite {suite!r} in this project") from None
    env_id = None
    if environment:
        with session_scope() as session:
            envs = session.exec(select(Environment).where(Environment.project_id == project_id)).all()
        match = [e for e in envs if str(e.id) == environment or e.name == environment]
        if not match:
            raise FilterError("environment", f"no environment {environment!r} in this project")
        env_id = match[0].id
    return Filters(since=since, until=until, suite_ids=suite_ids, tag=(tag or "").strip() or None,
                   branch=(branch or "").strip() or None, environment_id=env_id)


def base(project_id: uuid.UUID, filters: Filters, *columns: Any) -> Any:
    return filters.apply(sa.select(*columns).where(col(ResultFact.project_id) == project_id))
