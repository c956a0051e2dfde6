"""Every change of a defect, as rows of `defect_events` (who, when, field, old, new), written in
the same transaction as the change."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from traceiq_app.models import DefectEvent, User


def _text(value: Any) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)[:2000]
    return str(value)[:2000]


def record(session: Session, defect_id: uuid.UUID, user_id: uuid.UUID | None, field: str, old: Any, new: Any) -> None:
    session.add(DefectEvent(defect_id=defect_id, user_id=user_id, field=field, old=_text(old), new=_text(new)))


def listing(session: Session, defect_id: uuid.UUID) -> list[dict[str, str]]:
    rows = session.exec(select(DefectEvent, User).join(User, col(User.id) == col(DefectEvent.user_id), isouter=True)
                        .where(DefectEvent.defect_id == defect_id)
                        .order_by(col(DefectEvent.at), col(DefectEvent.id))).all()
    return [{"id": str(e.id), "who": (u.display_name or u.email) if u else "TraceIQ",
             "at": e.at.strftime("%Y-%m-%d %H:%M:%S UTC"), "field": e.field, "old": e.old or "",
             "new": e.new or ""} for e, u in rows]
