"""Dashboard numbers: open defects by severity and the weekly trend (opened vs closed)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import col, func, select

from traceiq_app.db import session_scope
from traceiq_app.models import Defect, DefectEvent, utcnow
from traceiq_app.services.defects import workflow


def open_by_severity(project_id: uuid.UUID) -> list[dict[str, Any]]:
    with session_scope() as session:
        counts = dict(session.exec(select(Defect.severity, func.count()).where(
            Defect.project_id == project_id, col(Defect.status).in_(workflow.OPEN)).group_by(Defect.severity)).all())
    return [{"severity": s, "count": int(counts.get(s, 0))} for s in workflow.SEVERITIES]


def _week(d: datetime | date) -> date:
    day = d.date() if isinstance(d, datetime) else d
    return day - timedelta(days=day.weekday())


def weekly_trend(project_id: uuid.UUID, weeks: int = 12, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per ISO week (Monday), the defects opened and the defects closed (moved to CLOSED)."""
    now = now or utcnow()
    start = _week(now) - timedelta(weeks=weeks - 1)
    since = datetime(start.year, start.month, start.day, tzinfo=now.tzinfo)
    with session_scope() as session:
        opened = session.exec(select(Defect.created_at).where(Defect.project_id == project_id,
                                                              col(Defect.created_at) >= since)).all()
        closed = session.exec(select(DefectEvent.at).join(Defect, col(Defect.id) == col(DefectEvent.defect_id)).where(
            Defect.project_id == project_id, DefectEvent.field == "status", DefectEvent.new == workflow.label("closed"),
            col(DefectEvent.at) >= since)).all()
    buckets = {start + timedelta(weeks=i): {"opened": 0, "closed": 0} for i in range(weeks)}
    for at in opened:
        buckets.setdefault(_week(at), {"opened": 0, "closed": 0})["opened"] += 1
    for at in closed:
        buckets.setdefault(_week(at), {"opened": 0, "closed": 0})["closed"] += 1
    return [{"week": k.isoformat(), **v} for k, v in sorted(buckets.items())]
