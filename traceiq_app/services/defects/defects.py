"""Create, read, edit and move defects. Keys are DEF-<number> per project: the number is claimed
with the (project, number) unique constraint, retried on a collision, so two reporters at once
never share one. Every change writes its history row in the same transaction; assignment and
status changes and comments are published to notifications after the commit (the defect's
watchers, the actor excepted, find them in their in-app inbox)."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import (
    Defect,
    DefectComment,
    DefectWatcher,
    OrganizationMember,
    OrgRole,
    Project,
    ProjectMember,
    TestCase,
    User,
    utcnow,
)
from traceiq_app.services.catalog.projects import Invalid, NotFound
from traceiq_app.services.defects import custom_fields, history, workflow

log = logging.getLogger(__name__)
KEY_RE = re.compile(r"^DEF-(\d+)$", re.I)
EDITABLE = ("title", "description", "severity", "priority", "assignee_id", "external_url", "external_key")


def key_of(defect: Defect) -> str:
    return f"DEF-{defect.number}"


def _uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def people(project_id: uuid.UUID, session: Session | None = None) -> list[dict[str, str]]:
    """Who can be assigned or watch: project members and the org's owners and admins."""
    def run(s: Session) -> list[dict[str, str]]:
        project = s.get(Project, project_id)
        if project is None:
            return []
        org = dict(s.exec(select(OrganizationMember.user_id, OrganizationMember.role)
                          .where(OrganizationMember.org_id == project.org_id)).all())
        ids = {u for u, r in org.items() if r in (OrgRole.owner, OrgRole.admin)}
        ids |= {u for u in s.exec(select(ProjectMember.user_id).where(ProjectMember.project_id == project_id)).all()
                if u in org}
        users = s.exec(select(User).where(col(User.id).in_(ids))).all() if ids else []
        return sorted(({"id": str(u.id), "name": u.display_name or u.email, "email": u.email} for u in users),
                      key=lambda p: p["name"].lower())
    if session is not None:
        return run(session)
    with session_scope() as own:
        return run(own)


def _clean(project_id: uuid.UUID, session: Session, data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    problems: list[str] = []
    if "title" in data or not partial:
        title = str(data.get("title") or "").strip()
        if not title:
            problems.append("Title: say in a few words what is wrong.")
        elif len(title) > 300:
            problems.append(f"Title: at most 300 characters (this is {len(title)}).")
        out["title"] = title[:300]
    if "description" in data or not partial:
        description = str(data.get("description") or "")
        if len(description) > 20000:
            problems.append("Description: at most 20000 characters.")
        out["description"] = description[:20000]
    for name, allowed, default in (("severity", workflow.SEVERITIES, "major"),
                                   ("priority", workflow.PRIORITIES, "medium")):
        if name in data or not partial:
            value = str(data.get(name) or default).strip().lower()
            if value not in allowed:
                problems.append(f"{name.capitalize()}: choose one of {', '.join(allowed)}.")
            out[name] = value
    if "assignee_id" in data:
        raw = data.get("assignee_id")
        if raw in (None, "", "none"):
            out["assignee_id"] = None
        else:
            assignee = _uuid(raw)
            if assignee is None or str(assignee) not in {p["id"] for p in people(project_id, session)}:
                problems.append("Assignee: choose a member of this project.")
            out["assignee_id"] = assignee
    if "external_url" in data:
        url = str(data.get("external_url") or "").strip()
        if url and not re.match(r"^https?://[^\s]+$", url):
            problems.append("External link: an http(s) address, e.g. https://jira.example.com/browse/SHOP-12.")
        out["external_url"] = url[:2000] or None
    if "external_key" in data:
        out["external_key"] = str(data.get("external_key") or "").strip()[:100] or None
    if "custom" in data:
        fields = [f for f in custom_fields.list_fields(project_id, "defect")]
        try:
            out["custom"] = custom_fields.clean_values(fields, dict(data.get("custom") or {}))
        except Invalid as exc:
            problems.extend(exc.problems)
    if problems:
        raise Invalid(problems)
    return out


def create(project_id: uuid.UUID, reporter_id: uuid.UUID | None, data: dict[str, Any]) -> Defect:
    """`data`: title, description, severity, priority, assignee_id, custom, external_url/key,
    test_case_id, signature, source (dict), and `occurrence` (run_id, test_result_id, test_key,
    test_name, browser) for a defect raised from a failure."""
    from traceiq_app.services.defects import occurrences

    with session_scope() as session:
        values = _clean(project_id, session, {**data, "custom": data.get("custom") or {}}, partial=False)
        test_case_id = _uuid(data.get("test_case_id")) if data.get("test_case_id") else None
        if test_case_id is not None:
            case = session.get(TestCase, test_case_id)
            if case is None or case.project_id != project_id:
                test_case_id = None
        status = "assigned" if values.get("assignee_id") else "new"
        for _ in range(20):
            number = int(session.exec(select(sa.func.coalesce(sa.func.max(Defect.number), 0))
                                      .where(Defect.project_id == project_id)).one()) + 1
            defect = Defect(project_id=project_id, number=number, reporter_id=reporter_id, status=status,
                            test_case_id=test_case_id, signature=data.get("signature") or None,
                            source=dict(data.get("source") or {}), last_seen_at=None, occurrences=0, **values)
            try:
                with session.begin_nested():
                    session.add(defect)
                break
            except IntegrityError:
                continue  # another reporter claimed this number: take the next one
        else:
            raise Invalid("Could not number the defect; try again.")
        history.record(session, defect.id, reporter_id, "created", None, f"{key_of(defect)} {defect.title}")
        if status == "assigned":
            history.record(session, defect.id, reporter_id, "status", workflow.label("new"), workflow.label(status))
        if reporter_id is not None:
            session.add(DefectWatcher(defect_id=defect.id, user_id=reporter_id))
        occurrence = data.get("occurrence")
        if occurrence:
            occurrences.add(session, defect, occurrence, user_id=None, quiet=True)
    if defect.assignee_id:
        _publish(defect, "defect.assigned", actor_id=reporter_id)
    return defect


def find(session: Session, project_id: uuid.UUID, ref: str | uuid.UUID) -> Defect:
    """A defect of the project by id or key (DEF-12)."""
    match = KEY_RE.match(str(ref).strip())
    if match:
        found = session.exec(select(Defect).where(Defect.project_id == project_id,
                                                  Defect.number == int(match.group(1)))).first()
    else:
        did = _uuid(ref)
        found = session.get(Defect, did) if did else None
    if found is None or found.project_id != project_id:
        raise NotFound("defect")
    return found


def get(project_id: uuid.UUID, ref: str | uuid.UUID) -> Defect:
    with session_scope() as session:
        return find(session, project_id, ref)


def update(project_id: uuid.UUID, ref: str, user_id: uuid.UUID, data: dict[str, Any]) -> Defect:
    """Change some fields (only those in `data`); each change gets a history row."""
    published: list[str] = []
    with session_scope() as session:
        defect = find(session, project_id, ref)
        values = _clean(project_id, session, {k: v for k, v in data.items() if k in (*EDITABLE, "custom")},
                        partial=True)
        names = {p["id"]: p["name"] for p in people(project_id, session)}
        for name, new in values.items():
            old = getattr(defect, name)
            if name == "custom":
                for key in sorted(set(old or {}) | set(new)):
                    if (old or {}).get(key) != new.get(key):
                        history.record(session, defect.id, user_id, f"custom:{key}", (old or {}).get(key),
                                       new.get(key))
                defect.custom = dict(new)
                continue
            if old == new:
                continue
            if name == "assignee_id":
                history.record(session, defect.id, user_id, "assignee", names.get(str(old), "") if old else None,
                               names.get(str(new), "") if new else None)
                published.append("defect.assigned")  # unassigning too: watchers hear of it
                if new and defect.status == "new":
                    history.record(session, defect.id, user_id, "status", workflow.label("new"),
                                   workflow.label("assigned"))
                    defect.status = "assigned"
                    published.append("defect.status_changed")
            else:
                history.record(session, defect.id, user_id, name, old, new)
            setattr(defect, name, new)
        session.add(defect)
    for event in published:
        _publish(defect, event, actor_id=user_id)
    return defect


def transition(project_id: uuid.UUID, ref: str, user_id: uuid.UUID, target: str) -> Defect:
    """Move along the workflow or raise Invalid ("A defect that is NEW cannot move to CLOSED;
    next: ASSIGNED"). The move is claimed with a conditional update: of two people moving the same
    defect at once, the second is refused, not silently applied."""
    with session_scope() as session:
        defect = find(session, project_id, ref)
        current = defect.status
        new = workflow.check(current, target)
        if new == "assigned" and defect.assignee_id is None:
            raise Invalid("Assignee: choose who works on it before moving it to ASSIGNED.")
        now = utcnow()
        closed_at = now if new == "closed" else (None if new == "reopened" else defect.closed_at)
        claimed = session.execute(sa.update(Defect).where(col(Defect.id) == defect.id, col(Defect.status) == current)
                                  .values(status=new, updated_at=now, closed_at=closed_at)).rowcount  # type: ignore[attr-defined]
        if claimed != 1:
            raise Invalid("Someone else changed this defect's status just now; reload to see it.")
        history.record(session, defect.id, user_id, "status", workflow.label(current), workflow.label(new))
        session.refresh(defect)
    _publish(defect, "defect.status_changed", actor_id=user_id)
    return defect


def comment(project_id: uuid.UUID, ref: str, user_id: uuid.UUID, body: str) -> DefectComment:
    body = (body or "").strip()
    if not body:
        raise Invalid("Comment: write something first.")
    if len(body) > 10000:
        raise Invalid("Comment: at most 10000 characters.")
    with session_scope() as session:
        defect = find(session, project_id, ref)
        row = DefectComment(defect_id=defect.id, user_id=user_id, body=body)
        session.add(row)
        history.record(session, defect.id, user_id, "comment", None, body[:200])
        defect.updated_at = utcnow()
        session.add(defect)
        who = session.get(User, user_id)
    author = (who.display_name or who.email) if who else "someone"
    _publish(defect, "defect.commented", actor_id=user_id,
             extra={"message": f"{author}: {body[:300]}{'…' if len(body) > 300 else ''}"})
    return row


def watch(project_id: uuid.UUID, ref: str, user_id: uuid.UUID, on: bool) -> bool:
    with session_scope() as session:
        defect = find(session, project_id, ref)
        row = session.get(DefectWatcher, (defect.id, user_id))
        if on and row is None:
            session.add(DefectWatcher(defect_id=defect.id, user_id=user_id))
            history.record(session, defect.id, user_id, "watchers", None, "started watching")
        elif not on and row is not None:
            session.delete(row)
            history.record(session, defect.id, user_id, "watchers", None, "stopped watching")
    return on


def watcher_ids(defect_id: uuid.UUID) -> list[uuid.UUID]:
    with session_scope() as session:
        return list(session.exec(select(DefectWatcher.user_id).where(DefectWatcher.defect_id == defect_id)).all())


def _publish(defect: Defect, event_type: str, *, actor_id: uuid.UUID | None = None,
             extra: dict[str, Any] | None = None) -> None:
    """Through notifications: the project's channels and in-app inboxes, and every watcher of
    the defect but the actor (`publish(watchers=..., actor_id=...)`)."""
    from traceiq_app.services.notifications import publish

    data = {"title": f"{key_of(defect)} {defect.title}", "defect": key_of(defect),
            "status": workflow.label(defect.status), "severity": defect.severity,
            "assignee_id": str(defect.assignee_id) if defect.assignee_id else None,
            "url": f"/projects/{defect.project_id}/defects/{key_of(defect)}", **(extra or {})}
    try:
        publish(defect.project_id, event_type, data, watchers=watcher_ids(defect.id), actor_id=actor_id)
    except Exception:  # noqa: BLE001 - a notification outage must not undo the defect change
        log.exception("could not publish %s for %s", event_type, key_of(defect))
