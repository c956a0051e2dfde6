"""Suites: nested folders of test cases inside one project.

Every function takes the `project_id` the caller was authorized for and only ever finds
suites of that project. A soft-deleted suite hides its whole subtree (sub-folders and their
tests stay as they are, so restoring the folder brings everything back).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, func, select

from traceiq_app.db import session_scope
from traceiq_app.models import ExecutionSettings, Suite, TestCase, utcnow
from traceiq_app.services.catalog.projects import Invalid, NotFound, _live_project, pydantic_problems

__all__ = [
    "SuiteNode",
    "create_suite",
    "delete_suite",
    "deleted_suites",
    "list_tree",
    "move_suite",
    "rename_suite",
    "restore_suite",
    "suite_chain",
]

MAX_NAME = 200


@dataclass
class SuiteNode:
    id: uuid.UUID
    name: str
    parent_id: uuid.UUID | None
    depth: int
    tests: int
    children: list[SuiteNode] = field(default_factory=list)

    def walk(self) -> list[SuiteNode]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


def _as_uuid(value: uuid.UUID | str | None, what: str) -> uuid.UUID | None:
    if value is None or value == "":
        return None
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(what) from None


def _suite(session: Session, project_id: uuid.UUID, suite_id: uuid.UUID | str | None,
           *, include_deleted: bool = False) -> Suite:
    sid = _as_uuid(suite_id, "suite")
    suite = session.get(Suite, sid) if sid else None
    if suite is None or suite.project_id != project_id or (suite.deleted_at is not None and not include_deleted):
        raise NotFound("suite")
    return suite


def _all_suites(session: Session, project_id: uuid.UUID) -> dict[uuid.UUID, Suite]:
    rows = session.exec(select(Suite).where(Suite.project_id == project_id)).all()
    return {s.id: s for s in rows}


def _is_visible(suite: Suite, by_id: dict[uuid.UUID, Suite]) -> bool:
    """Live and no deleted ancestor."""
    seen: set[uuid.UUID] = set()
    cur: Suite | None = suite
    while cur is not None and cur.id not in seen:
        if cur.deleted_at is not None:
            return False
        seen.add(cur.id)
        cur = by_id.get(cur.parent_id) if cur.parent_id else None
    return True


def visible_suite(session: Session, project_id: uuid.UUID, suite_id: uuid.UUID | str | None) -> Suite:
    """A suite of the project that is live and not inside a deleted folder (else NotFound)."""
    suite = _suite(session, project_id, suite_id)
    if not _is_visible(suite, _all_suites(session, project_id)):
        raise NotFound("suite")
    return suite


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid("name: give the folder a name")
    if len(name) > MAX_NAME:
        raise Invalid(f"name: at most {MAX_NAME} characters")
    return name


def create_suite(project_id: uuid.UUID, name: str, parent_id: uuid.UUID | str | None = None) -> Suite:
    with session_scope() as session:
        _live_project(session, project_id)
        clean = _clean_name(name)
        parent = visible_suite(session, project_id, parent_id) if parent_id else None
        position = session.exec(select(func.count()).select_from(Suite).where(
            Suite.project_id == project_id, Suite.parent_id == (parent.id if parent else None))).one()
        suite = Suite(project_id=project_id, name=clean, parent_id=parent.id if parent else None,
                      position=int(position))
        session.add(suite)
        session.flush()
        return suite


def rename_suite(project_id: uuid.UUID, suite_id: uuid.UUID | str, name: str) -> Suite:
    with session_scope() as session:
        suite = visible_suite(session, project_id, suite_id)
        suite.name = _clean_name(name)
        session.add(suite)
        return suite


def move_suite(project_id: uuid.UUID, suite_id: uuid.UUID | str, new_parent_id: uuid.UUID | str | None) -> Suite:
    """Move a folder under another folder of the same project (None: top level). Refuses to
    move a folder into itself or into one of its own sub-folders."""
    with session_scope() as session:
        suite = visible_suite(session, project_id, suite_id)
        parent = visible_suite(session, project_id, new_parent_id) if new_parent_id else None
        if parent is not None:
            by_id = _all_suites(session, project_id)
            cur: Suite | None = parent
            seen: set[uuid.UUID] = set()
            while cur is not None and cur.id not in seen:
                if cur.id == suite.id:
                    raise Invalid(f"cannot move '{suite.name}' into itself or one of its own sub-folders")
                seen.add(cur.id)
                cur = by_id.get(cur.parent_id) if cur.parent_id else None
        new_parent = parent.id if parent else None
        if new_parent != suite.parent_id:
            siblings = session.exec(select(func.max(Suite.position)).where(
                Suite.project_id == project_id, Suite.parent_id == new_parent)).one()
            suite.parent_id = new_parent
            suite.position = (int(siblings) + 1) if siblings is not None else 0
        session.add(suite)
        return suite


def delete_suite(project_id: uuid.UUID, suite_id: uuid.UUID | str) -> Suite:
    with session_scope() as session:
        suite = visible_suite(session, project_id, suite_id)
        suite.deleted_at = utcnow()
        session.add(suite)
        return suite


def restore_suite(project_id: uuid.UUID, suite_id: uuid.UUID | str) -> Suite:
    """Undo a delete. If the folder it was in is gone (deleted), it comes back at the top level."""
    with session_scope() as session:
        suite = _suite(session, project_id, suite_id, include_deleted=True)
        if suite.deleted_at is None:
            return suite
        suite.deleted_at = None
        by_id = _all_suites(session, project_id)
        parent = by_id.get(suite.parent_id) if suite.parent_id else None
        if parent is not None and not _is_visible(parent, by_id):
            suite.parent_id = None
        session.add(suite)
        return suite


def deleted_suites(project_id: uuid.UUID) -> list[Suite]:
    """Deleted folders, newest first (what the "restore" list shows)."""
    with session_scope() as session:
        _live_project(session, project_id)
        return list(session.exec(select(Suite).where(
            Suite.project_id == project_id, col(Suite.deleted_at).is_not(None)
        ).order_by(col(Suite.deleted_at).desc())).all())


def list_tree(project_id: uuid.UUID) -> list[SuiteNode]:
    """The visible folders as a tree (roots first, each level by position then name), with the
    number of live tests directly in each folder."""
    with session_scope() as session:
        _live_project(session, project_id)
        by_id = _all_suites(session, project_id)
        counts: dict[Any, int] = dict(session.exec(
            select(TestCase.suite_id, func.count()).where(
                TestCase.project_id == project_id, col(TestCase.deleted_at).is_(None)
            ).group_by(col(TestCase.suite_id))
        ).all())
    live = [s for s in by_id.values() if s.deleted_at is None]
    children: dict[uuid.UUID | None, list[Suite]] = {}
    for suite in live:
        children.setdefault(suite.parent_id, []).append(suite)

    def build(parent: uuid.UUID | None, depth: int, seen: frozenset[uuid.UUID]) -> list[SuiteNode]:
        nodes = []
        for suite in sorted(children.get(parent, []), key=lambda s: (s.position, s.name.lower())):
            if suite.id in seen:
                continue
            node = SuiteNode(suite.id, suite.name, suite.parent_id, depth, int(counts.get(suite.id, 0)))
            node.children = build(suite.id, depth + 1, seen | {suite.id})
            nodes.append(node)
        return nodes

    return build(None, 0, frozenset())


def flatten(tree: list[SuiteNode]) -> list[SuiteNode]:
    out: list[SuiteNode] = []
    for node in tree:
        out.extend(node.walk())
    return out


def suite_chain(session: Session, project_id: uuid.UUID, suite_id: uuid.UUID | None) -> list[Suite]:
    """The folder and its ancestors, root first (for settings inheritance and breadcrumbs)."""
    by_id = _all_suites(session, project_id)
    chain: list[Suite] = []
    seen: set[uuid.UUID] = set()
    cur = by_id.get(suite_id) if suite_id else None
    while cur is not None and cur.id not in seen:
        seen.add(cur.id)
        chain.append(cur)
        cur = by_id.get(cur.parent_id) if cur.parent_id else None
    return list(reversed(chain))


def update_suite_settings(project_id: uuid.UUID, suite_id: uuid.UUID | str, settings: dict[str, Any]) -> Suite:
    try:
        parsed = ExecutionSettings.model_validate(settings)
    except ValidationError as exc:
        raise Invalid(pydantic_problems(exc)) from None
    with session_scope() as session:
        suite = visible_suite(session, project_id, suite_id)
        suite.settings = parsed.to_json()
        session.add(suite)
        return suite


def suite_settings(project_id: uuid.UUID, suite_id: uuid.UUID | str) -> dict[str, Any]:
    """A folder's own execution settings (what it sets, not what it inherits)."""
    with session_scope() as session:
        return dict(visible_suite(session, project_id, suite_id).settings or {})
