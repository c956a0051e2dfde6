"""The in-app inbox (the bell): `fan_out` gives every member of the project (explicit project
members, and the org's owners and admins) who wants the event type in the app, and every watcher
of the object but its actor, one row, once per event; users read their own rows only (`unread_count`, `recent`, `mark_all_read`) and choose
their in-app events per project (`preferences` / `set_preferences`; no choice = DEFAULT_EVENTS).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from traceiq_app.db import session_scope
from traceiq_app.models import (
    NotificationPreference,
    OrganizationMember,
    OrgRole,
    Project,
    ProjectMember,
    UserNotification,
    utcnow,
)
from traceiq_app.services.notifications import channels, formats

DEFAULT_EVENTS = ("run.failed", "run.recovered", "schedule.missed", "defect.assigned", "defect.status_changed")


def _recipients(project: Project) -> set[uuid.UUID]:
    with session_scope() as session:
        org_members = dict(session.exec(select(OrganizationMember.user_id, OrganizationMember.role).where(
            OrganizationMember.org_id == project.org_id)).all())
        project_members = set(session.exec(select(ProjectMember.user_id).where(
            ProjectMember.project_id == project.id)).all())
    admins = {u for u, role in org_members.items() if role in (OrgRole.owner, OrgRole.admin)}
    return admins | {u for u in project_members if u in org_members}


def fan_out(project_id: uuid.UUID, event_type: str, data: dict[str, Any], event_id: str,
            *, watchers: Iterable[uuid.UUID] = (), actor_id: uuid.UUID | None = None) -> int:
    """One inbox row per interested member; returns how many were added. `watchers` who may
    still read the project get a row whatever their preferences (watching is asking for it),
    except `actor_id`: nobody is told about what they just did because they watch it."""
    with session_scope() as session:
        project = session.get(Project, project_id)
        prefs = {p.user_id: set(p.in_app_events) for p in session.exec(
            select(NotificationPreference).where(NotificationPreference.project_id == project_id)).all()}
    if project is None:
        return 0
    title = formats.title(event_type, data)[:500]
    body = " · ".join(formats.summary_lines(event_type, data))[:1000]
    raw_url = data.get("url")
    url = urlsplit(raw_url).path or None if isinstance(raw_url, str) else None  # in-app links stay on our origin
    added = 0
    with session_scope() as session:
        readers = _recipients(project)
        watching = {w for w in watchers if w != actor_id} & readers
        for user_id in sorted(readers, key=str):
            if user_id not in watching and event_type not in prefs.get(user_id, set(DEFAULT_EVENTS)):
                continue
            try:
                with session.begin_nested():
                    session.add(UserNotification(user_id=user_id, project_id=project_id, event_id=event_id,
                                                 event_type=event_type, title=title, body=body,
                                                 url=url))
                added += 1
            except IntegrityError:
                continue
    return added


def unread_count(user_id: uuid.UUID) -> int:
    with session_scope() as session:
        return int(session.exec(select(func.count()).select_from(UserNotification).where(
            UserNotification.user_id == user_id, col(UserNotification.read_at).is_(None))).one())


def recent(user_id: uuid.UUID, limit: int = 10) -> list[dict[str, str]]:
    with session_scope() as session:
        rows = session.exec(select(UserNotification).where(UserNotification.user_id == user_id)
                            .order_by(col(UserNotification.id).desc()).limit(limit)).all()
        return [{"id": str(r.id), "title": r.title, "body": r.body, "url": r.url or "",
                 "unread": "" if r.read_at else "1", "at": _short(r.created_at)} for r in rows]


def _short(value: datetime) -> str:
    return value.strftime("%d %b %H:%M UTC")


def mark_all_read(user_id: uuid.UUID) -> int:
    with session_scope() as session:
        result = session.execute(sa.update(UserNotification).where(
            col(UserNotification.user_id) == user_id, col(UserNotification.read_at).is_(None)).values(read_at=utcnow()))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def preferences(user_id: uuid.UUID, project_id: uuid.UUID) -> list[str]:
    with session_scope() as session:
        pref = session.exec(select(NotificationPreference).where(
            NotificationPreference.user_id == user_id, NotificationPreference.project_id == project_id)).first()
        return list(pref.in_app_events) if pref is not None else list(DEFAULT_EVENTS)


def set_preferences(user_id: uuid.UUID, project_id: uuid.UUID, events: list[str]) -> list[str]:
    unknown = [e for e in events if e not in channels.EVENT_TYPES]
    if unknown:
        raise channels.ChannelError("in_app_events", f"unknown event {unknown[0]!r}")
    chosen = [e for e in channels.EVENT_TYPES if e in events]
    with session_scope() as session:
        pref = session.exec(select(NotificationPreference).where(
            NotificationPreference.user_id == user_id, NotificationPreference.project_id == project_id)).first()
        if pref is None:
            session.add(NotificationPreference(user_id=user_id, project_id=project_id, in_app_events=chosen))
        else:
            pref.in_app_events = chosen
    return chosen
