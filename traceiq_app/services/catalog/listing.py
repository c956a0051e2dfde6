"""Paged reads of the catalog for the public API (projects, suites, tests, environments), and
turning a `{project}` reference (id or slug) into the project.

Lists are keyset-paged on the UUIDv7 id (creation order, see services/platform/pagination.py).
Callers authorize first, as everywhere; `resolve_project` only finds candidates among the
caller's organizations so that a slug never reveals another organization's project.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import Environment, EnvironmentPublic, Project, Suite, TestCase
from traceiq_app.services.catalog.projects import Invalid, NotFound
from traceiq_app.services.platform.pagination import Page, page_by_id
from traceiq_app.services.platform.permissions import Principal, readable_project_ids

__all__ = ["Ambiguous", "page_environments", "page_projects", "page_suites", "page_tests", "resolve_project"]


class Ambiguous(Invalid):
    """A slug names projects in several of the caller's organizations (answer 409)."""


def _org_ids(session: Any, principal: Principal) -> list[uuid.UUID]:
    from traceiq_app.services.accounts.users import memberships

    orgs = [m.org_id for m in memberships(session, principal.user_id)]
    if principal.is_token:
        orgs = [o for o in orgs if o == principal.token_org_id]
    return orgs


def resolve_project(principal: Principal, ref: str) -> Project:
    """The live project `ref` names: its id, or its slug in one of the caller's organizations.
    Raises NotFound (unknown, deleted or foreign) or Ambiguous."""
    ref = (ref or "").strip()
    with session_scope() as session:
        try:
            pid = uuid.UUID(ref)
        except ValueError:
            pid = None
        if pid is not None:
            project = session.get(Project, pid)
            if project is None or project.deleted_at is not None:
                raise NotFound("project")
            return project
        orgs = _org_ids(session, principal)
        if not orgs:
            raise NotFound("project")
        found = list(session.exec(select(Project).where(
            Project.slug == ref.lower(), col(Project.org_id).in_(orgs), col(Project.deleted_at).is_(None))).all())
        if principal.is_token and principal.token_project_id is not None:
            found = [p for p in found if p.id == principal.token_project_id] or found
        if not found:
            raise NotFound("project")
        if len(found) > 1:
            raise Ambiguous(f"project: '{ref}' is the slug of projects in several of your organizations; "
                            "use the project's id")
        return found[0]


def page_projects(principal: Principal, limit: int | None, cursor: str | None) -> Page[Project]:
    with session_scope() as session:
        ids = [pid for org in _org_ids(session, principal) for pid in readable_project_ids(session, principal, org)]
        stmt = select(Project).where(col(Project.id).in_(ids))
        return page_by_id(session, stmt, col(Project.id), "projects", limit, cursor)


def counts(project_id: uuid.UUID) -> tuple[int, int]:
    """(live suites, live tests) of a project."""
    with session_scope() as session:
        suites = session.exec(select(sa.func.count()).select_from(Suite).where(
            Suite.project_id == project_id, col(Suite.deleted_at).is_(None))).one()
        tests = session.exec(select(sa.func.count()).select_from(TestCase).where(
            TestCase.project_id == project_id, col(TestCase.deleted_at).is_(None))).one()
        return int(suites), int(tests)


def page_suites(project_id: uuid.UUID, limit: int | None, cursor: str | None) -> Page[Suite]:
    with session_scope() as session:
        stmt = select(Suite).where(Suite.project_id == project_id, col(Suite.deleted_at).is_(None))
        return page_by_id(session, stmt, col(Suite.id), f"suites:{project_id}", limit, cursor)


def get_suite(suite_id: uuid.UUID | str) -> Suite:
    """A live suite by id alone (the caller then authorizes on its project)."""
    try:
        sid = uuid.UUID(str(suite_id))
    except ValueError:
        raise NotFound("suite") from None
    with session_scope() as session:
        suite = session.get(Suite, sid)
        if suite is None or suite.deleted_at is not None:
            raise NotFound("suite")
        return suite


def suite_and_descendants(project_id: uuid.UUID, suite_ref: str) -> set[uuid.UUID]:
    """The live suite named by id or name in the project, with its live sub-suites."""
    with session_scope() as session:
        suites = list(session.exec(select(Suite).where(Suite.project_id == project_id,
                                                       col(Suite.deleted_at).is_(None))).all())
    roots = [s.id for s in suites if str(s.id) == suite_ref or s.name == suite_ref]
    if not roots:
        raise NotFound("suite")
    children: dict[uuid.UUID | None, list[uuid.UUID]] = {}
    for s in suites:
        children.setdefault(s.parent_id, []).append(s.id)
    found, todo = set(), list(roots)
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def page_tests(project_id: uuid.UUID, limit: int | None, cursor: str | None, *, suite: str | None = None,
               tag: str | None = None, text: str | None = None) -> Page[TestCase]:
    stmt = select(TestCase).where(TestCase.project_id == project_id, col(TestCase.deleted_at).is_(None))
    if suite:
        stmt = stmt.where(col(TestCase.suite_id).in_(suite_and_descendants(project_id, suite)))
    if tag:
        # Tags are a JSON list of strings; the quoted tag inside its text is an exact element match.
        import json

        stmt = stmt.where(sa.cast(col(TestCase.tags), sa.Text).contains(json.dumps(tag), autoescape=True))
    with session_scope() as session:
        if text:
            stmt = stmt.where(sa.func.lower(col(TestCase.name)).contains(text.lower(), autoescape=True))
        page = page_by_id(session, stmt, col(TestCase.id), f"tests:{project_id}", limit, cursor)
    if tag:  # the LIKE may over-match ("smoke" inside "smoke-2"): keep exact elements only
        page.items = [c for c in page.items if tag in (c.tags or [])]
    return page


def test_case_by_id(test_id: uuid.UUID | str) -> TestCase:
    try:
        tid = uuid.UUID(str(test_id))
    except ValueError:
        raise NotFound("test") from None
    with session_scope() as session:
        case = session.get(TestCase, tid)
        if case is None or case.deleted_at is not None:
            raise NotFound("test")
        return case


def page_environments(project_id: uuid.UUID, limit: int | None, cursor: str | None) -> Page[EnvironmentPublic]:
    with session_scope() as session:
        stmt = select(Environment).where(Environment.project_id == project_id)
        page = page_by_id(session, stmt, col(Environment.id), f"envs:{project_id}", limit, cursor)
        return Page(items=[EnvironmentPublic.from_row(e) for e in page.items], next_cursor=page.next_cursor)
