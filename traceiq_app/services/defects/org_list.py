"""The organization-wide defects list (`/defects`, `GET /api/v1/defects`): the defects of every
project of the organization the principal may read (`defect.read`, checked per project), with a
Project filter next to the list's usual filters (`listing.search` does the filtering), custom
field filters only once one project is chosen, and per-user saved filters per organization."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import DefectOrgFilter, Project
from traceiq_app.services.catalog.projects import Invalid
from traceiq_app.services.defects import listing, workflow
from traceiq_app.services.platform.permissions import Principal, can, readable_project_ids


def projects(principal: Principal, org_id: uuid.UUID) -> list[dict[str, str]]:
    """The live projects of `org_id` whose defects the principal may read, by name:
    {"id", "name", "slug"}. Nothing (not an error) for a stranger to the organization."""
    with session_scope() as session:
        ids = [pid for pid in readable_project_ids(session, principal, org_id)
               if can(principal, "defect.read", project_id=pid, session=session)]
        rows = session.exec(select(Project).where(col(Project.id).in_(ids)).order_by(col(Project.name))).all() \
            if ids else []
        return [{"id": str(p.id), "name": p.name, "slug": p.slug} for p in rows]


def pick(readable: list[dict[str, str]], ref: str) -> dict[str, str]:
    """The readable project `ref` names (its id or slug), or Invalid naming the field."""
    ref = (ref or "").strip()
    for p in readable:
        if ref in (p["id"], p["slug"]) or ref.lower() == p["id"]:
            return p
    raise Invalid(f"Project: {ref[:60]!r} is not a project of this organization whose defects you can read; "
                  "choose one from the list.")


def check_filters(filters: dict[str, Any]) -> dict[str, str]:
    """The cleaned filters, or Invalid naming the first wrong field and what it accepts."""
    f = listing.clean_filters(filters)
    status = f.get("status")
    if status and status != "open" and workflow.normalize(status) not in workflow.STATUSES:
        raise Invalid(f"Status: {status[:40]!r} is not a defect status; choose Open or one of "
                      f"{', '.join(workflow.LABELS[s] for s in workflow.STATUSES)}.")
    for name, allowed in (("severity", workflow.SEVERITIES), ("priority", workflow.PRIORITIES)):
        if f.get(name) and f[name].lower() not in allowed:
            raise Invalid(f"{name.capitalize()}: {f[name][:40]!r} is not one; choose one of {', '.join(allowed)}.")
    for name in ("assignee", "reporter"):
        value = f.get(name)
        if value and value != "none":
            try:
                uuid.UUID(value)
            except ValueError:
                raise Invalid(f"{name.capitalize()}: choose a person from the list.") from None
    return f


def scope(principal: Principal, org_id: uuid.UUID, filters: dict[str, Any]) -> tuple[list[uuid.UUID], dict[str, str]]:
    """(project ids to list, filters): every readable project, or the one the Project filter
    names; custom field filters (cf_*) are dropped unless one project is chosen."""
    f = check_filters(filters)
    readable = projects(principal, org_id)
    if f.get("project"):
        return [uuid.UUID(pick(readable, f["project"])["id"])], f
    return [uuid.UUID(p["id"]) for p in readable], {k: v for k, v in f.items() if not k.startswith("cf_")}


def search(principal: Principal, org_id: uuid.UUID, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    ids, f = scope(principal, org_id, filters or {})
    return listing.search(ids, f)


def people(principal: Principal, org_id: uuid.UUID) -> list[dict[str, str]]:
    """Everyone who can be an assignee or reporter in the readable projects (for the filters)."""
    from traceiq_app.services.defects.defects import people as project_people

    found: dict[str, dict[str, str]] = {}
    for p in projects(principal, org_id):
        for person in project_people(uuid.UUID(p["id"])):
            found.setdefault(person["id"], person)
    return sorted(found.values(), key=lambda p: p["name"].lower())


# ---- saved filters (per user and organization; listing's scoped saved filters) -------------------

def saved_filters(org_id: uuid.UUID, user_id: uuid.UUID) -> list[dict[str, Any]]:
    return listing.scoped_filters(DefectOrgFilter, "org_id", org_id, user_id)


def save_filter(org_id: uuid.UUID, user_id: uuid.UUID, name: str, filters: dict[str, Any]) -> dict[str, Any]:
    return listing.save_scoped_filter(DefectOrgFilter, "org_id", org_id, user_id, name, filters)


def delete_filter(org_id: uuid.UUID, user_id: uuid.UUID, filter_id: str) -> None:
    listing.delete_scoped_filter(DefectOrgFilter, "org_id", org_id, user_id, filter_id)
