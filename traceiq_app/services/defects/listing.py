"""The defects list: filters (status, severity, priority, assignee, reporter, text, custom
fields) over one project or several (the organization-wide list, `org_list`), per-user saved
filters, one defect's full view, and a test case's open defects."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import (
    Defect,
    DefectAttachment,
    DefectComment,
    DefectOrgFilter,
    DefectSavedFilter,
    DefectWatcher,
    Project,
    User,
)
from traceiq_app.services.catalog.projects import Invalid, NotFound
from traceiq_app.services.defects import custom_fields, history, occurrences, render, workflow

FILTER_KEYS = ("status", "severity", "priority", "assignee", "reporter", "q", "project")
MAX_ROWS = 1000


def clean_filters(raw: dict[str, Any]) -> dict[str, str]:
    """Only known keys with non-empty values; `cf_<key>` filters a custom field (contains)."""
    return {k: str(v).strip()[:200] for k, v in (raw or {}).items()
            if (k in FILTER_KEYS or k.startswith("cf_")) and str(v or "").strip() and str(v).strip() != "all"}


def _names(ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    with session_scope() as session:
        return {u.id: u.display_name or u.email for u in session.exec(select(User).where(col(User.id).in_(ids))).all()}


def _matches_custom(defect: Defect, filters: dict[str, str]) -> bool:
    for key, wanted in filters.items():
        if not key.startswith("cf_"):
            continue
        value = custom_fields.display((defect.custom or {}).get(key[3:])).lower()
        if wanted.lower() not in value:
            return False
    return True


def search(project_ids: uuid.UUID | list[uuid.UUID], filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The defects of one project, or of several (newest first per project; `project` in the
    filters is the caller's business: pass the project ids it allows)."""
    ids = [project_ids] if isinstance(project_ids, uuid.UUID) else list(project_ids)
    if not ids:
        return []
    f = clean_filters(filters or {})
    stmt = select(Defect).where(col(Defect.project_id).in_(ids))
    status = f.get("status")
    if status == "open":
        stmt = stmt.where(col(Defect.status).in_(workflow.OPEN))
    elif status:
        stmt = stmt.where(Defect.status == workflow.normalize(status))
    for name in ("severity", "priority"):
        if f.get(name):
            stmt = stmt.where(getattr(Defect, name) == f[name].lower())
    for name, column in (("assignee", Defect.assignee_id), ("reporter", Defect.reporter_id)):
        if f.get(name) == "none":
            stmt = stmt.where(col(column).is_(None))
        elif f.get(name):
            try:
                stmt = stmt.where(column == uuid.UUID(f[name]))
            except ValueError:
                raise Invalid(f"{name.capitalize()}: choose a member of this project.") from None
    if f.get("q"):
        stmt = stmt.where(col(Defect.title).ilike(f"%{f['q']}%"))
    with session_scope() as session:
        order = [col(Defect.number).desc()] if len(ids) == 1 else [col(Defect.created_at).desc(), col(Defect.number).desc()]
        rows = [d for d in session.exec(stmt.order_by(*order).limit(MAX_ROWS)).all()
                if _matches_custom(d, f)]
        projects = dict(session.exec(select(Project.id, Project.name).where(col(Project.id).in_(ids))).all())
    names = _names({i for d in rows for i in (d.assignee_id, d.reporter_id) if i})
    return [row(d, names, projects) for d in rows]


def row(d: Defect, names: dict[uuid.UUID, str], projects: dict[uuid.UUID, str] | None = None) -> dict[str, Any]:
    return {"id": str(d.id), "key": f"DEF-{d.number}", "number": d.number, "title": d.title, "status": d.status,
            "project_id": str(d.project_id), "project": (projects or {}).get(d.project_id, ""),
            "status_label": workflow.label(d.status), "severity": d.severity, "priority": d.priority,
            "assignee": names.get(d.assignee_id, "") if d.assignee_id else "",
            "reporter": names.get(d.reporter_id, "") if d.reporter_id else "",
            "occurrences": d.occurrences, "recurred": d.recurred,
            "last_seen": d.last_seen_at.strftime("%Y-%m-%d %H:%M UTC") if d.last_seen_at else "",
            "created": d.created_at.strftime("%Y-%m-%d"), "custom": dict(d.custom or {}),
            "external_key": d.external_key or "", "external_url": d.external_url or "",
            "href": f"/projects/{d.project_id}/defects/DEF-{d.number}"}


def view(project_id: uuid.UUID, ref: str, user_id: uuid.UUID | None = None) -> dict[str, Any]:
    from traceiq_app.services.defects.defects import find

    with session_scope() as session:
        d = find(session, project_id, ref)
        events = history.listing(session, d.id)
        comments = session.exec(select(DefectComment, User).join(User, col(User.id) == col(DefectComment.user_id),
                                                                 isouter=True)
                                .where(DefectComment.defect_id == d.id).order_by(col(DefectComment.created_at))).all()
        watchers = list(session.exec(select(DefectWatcher.user_id).where(DefectWatcher.defect_id == d.id)).all())
        files = session.exec(select(DefectAttachment).where(DefectAttachment.defect_id == d.id)
                             .order_by(col(DefectAttachment.created_at))).all()
        seen = occurrences.listing(session, d.id)
    names = _names({i for i in (d.assignee_id, d.reporter_id, *watchers) if i})
    fields = custom_fields.list_fields(project_id, "defect")
    return {**row(d, names), "description": d.description, "description_html": render.to_html(d.description),
            "assignee_id": str(d.assignee_id) if d.assignee_id else "", "history": events,
            "comments": [{"who": (u.display_name or u.email) if u else "—",
                          "at": c.created_at.strftime("%Y-%m-%d %H:%M UTC"), "html": render.to_html(c.body)}
                         for c, u in comments],
            "watchers": ", ".join(sorted(names.get(w, "") for w in watchers)),
            "watching": user_id in watchers if user_id else False,
            "attachments": [{"id": str(a.id), "name": a.filename, "size": str(a.size),
                             "href": f"/api/v1/projects/{project_id}/defects/DEF-{d.number}/attachments/{a.id}"}
                            for a in files],
            "occurrence_rows": seen, "next": list(workflow.NEXT.get(d.status, ())),
            "custom_rows": [{"key": f.key, "label": f.label, "kind": f.kind, "options": ", ".join(f.options),
                             "value": custom_fields.display((d.custom or {}).get(f.key))} for f in fields],
            "signature": d.signature or "", "source": dict(d.source or {})}


def open_for_test(project_id: uuid.UUID, test_case_id: uuid.UUID | str) -> list[dict[str, Any]]:
    try:
        tid = uuid.UUID(str(test_case_id))
    except ValueError:
        return []
    with session_scope() as session:
        rows = session.exec(select(Defect).where(Defect.project_id == project_id, Defect.test_case_id == tid,
                                                 col(Defect.status).in_(workflow.OPEN))
                            .order_by(col(Defect.number).desc())).all()
    return [row(d, {}) for d in rows]


# ---- saved filters (per user, in a project or an organization) ----------------------------------
# One implementation for both scopes: DefectSavedFilter rows are scoped by project_id (the
# project's list), DefectOrgFilter rows by org_id (the organization-wide list, org_list).
SavedFilterModel = type[DefectSavedFilter] | type[DefectOrgFilter]


def scoped_filters(model: SavedFilterModel, scope: str, scope_id: uuid.UUID, user_id: uuid.UUID
                   ) -> list[dict[str, Any]]:
    with session_scope() as session:
        rows: Any = session.exec(select(model).where(getattr(model, scope) == scope_id, model.user_id == user_id)
                                 .order_by(col(model.name))).all()
    return [{"id": str(r.id), "name": r.name, "query": dict(r.query)} for r in rows]


def save_scoped_filter(model: SavedFilterModel, scope: str, scope_id: uuid.UUID, user_id: uuid.UUID, name: str,
                       filters: dict[str, Any]) -> dict[str, Any]:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise Invalid("Name: give the filter a name (up to 100 characters).")
    query = clean_filters(filters)
    with session_scope() as session:
        row_: Any = session.exec(select(model).where(getattr(model, scope) == scope_id, model.user_id == user_id,
                                                     model.name == name)).first()
        if row_ is None:
            row_ = model.model_validate({scope: scope_id, "user_id": user_id, "name": name, "query": query})
        else:
            row_.query = query
        session.add(row_)
    return {"id": str(row_.id), "name": name, "query": query}


def delete_scoped_filter(model: SavedFilterModel, scope: str, scope_id: uuid.UUID, user_id: uuid.UUID,
                         filter_id: str) -> None:
    with session_scope() as session:
        row_: Any
        try:
            row_ = session.get(model, uuid.UUID(str(filter_id)))
        except ValueError:
            row_ = None
        if row_ is None or getattr(row_, scope) != scope_id or row_.user_id != user_id:
            raise NotFound("saved filter")
        session.delete(row_)


def saved_filters(project_id: uuid.UUID, user_id: uuid.UUID) -> list[dict[str, Any]]:
    return scoped_filters(DefectSavedFilter, "project_id", project_id, user_id)


def save_filter(project_id: uuid.UUID, user_id: uuid.UUID, name: str, filters: dict[str, Any]) -> dict[str, Any]:
    return save_scoped_filter(DefectSavedFilter, "project_id", project_id, user_id, name, filters)


def delete_filter(project_id: uuid.UUID, user_id: uuid.UUID, filter_id: str) -> None:
    delete_scoped_filter(DefectSavedFilter, "project_id", project_id, user_id, filter_id)
