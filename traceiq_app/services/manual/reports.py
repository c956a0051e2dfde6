"""Manual runs for the public API: a page of a project's runs (newest first, keyset on
(created_at, id)) with their progress, and one run with its tests, steps and outcomes."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import ManualRun
from traceiq_app.services.catalog.projects import Invalid
from traceiq_app.services.manual import runs
from traceiq_app.services.platform.pagination import Page, clamp, encode_cursor, newest_first

STATUSES = ("open", "closed")


def summary(view: runs.RunView) -> dict[str, Any]:
    """A run without its tests: what the list shows."""
    data = {k: v for k, v in asdict(view).items() if k != "tests"}
    return {**data, "percent": view.percent, "url": f"/manual-runs/{view.id}"}


def page_runs(project_id: uuid.UUID, limit: int | None, cursor: str | None, *,
              status: str | None = None) -> Page[dict[str, Any]]:
    """The project's manual runs, newest first, each with its progress."""
    if status is not None and status not in STATUSES:
        raise Invalid(f"status: one of {', '.join(STATUSES)}")
    n, kind = clamp(limit), f"manual-runs:{project_id}"
    stmt = select(ManualRun).where(ManualRun.project_id == project_id)
    if status:
        stmt = stmt.where(ManualRun.status == status)
    stmt = newest_first(stmt, col(ManualRun.created_at), col(ManualRun.id), kind, cursor)
    with session_scope() as session:
        rows = [(r.id, r.created_at) for r in session.exec(stmt.limit(n + 1)).all()]
    page: Page[dict[str, Any]] = Page(items=[summary(runs.run_view(project_id, rid)) for rid, _ in rows[:n]])
    if len(rows) > n:
        rid, created = rows[n - 1]
        page.next_cursor = encode_cursor(kind, created.isoformat(), rid)
    return page


def run_detail(project_id: uuid.UUID, run_id: uuid.UUID | str) -> dict[str, Any]:
    """One run: its progress, and each test with its outcome and its steps (status, note, who,
    when, attachment URLs)."""
    view = runs.run_view(project_id, run_id)
    tests = []
    for t in view.tests:
        steps = [{**{k: v for k, v in asdict(s).items() if k != "attachments"},
                  "attachments": [{**a, "url": f"/api/manual/attachments/{a['id']}"} for a in s.attachments]}
                 for s in runs.test_steps(project_id, view.id, t.id)]
        tests.append({**asdict(t), "steps": steps})
    return {**summary(view), "tests": tests}
