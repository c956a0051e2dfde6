"""Starting a manual run: which manual tests a selection (suite with sub-suites, tags, ids)
holds, the start form's choices (suites, members), and `start_run`, which snapshots the tests'
current versions with one unmarked result per step."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import (
    ManualRun,
    ManualRunTest,
    ManualStepResult,
    ProjectMember,
    Suite,
    TestCase,
    User,
)
from traceiq_app.services.catalog.projects import Invalid, NotFound, _live_project
from traceiq_app.services.manual.run_views import TEST_EVENT, _log
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.services.runs import live_events


def _descendants(suites: Sequence[Suite], root: uuid.UUID) -> set[uuid.UUID]:
    children: dict[uuid.UUID | None, list[uuid.UUID]] = {}
    for s in suites:
        children.setdefault(s.parent_id, []).append(s.id)
    found, stack = set(), [root]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return found


def select_manual_tests(session: Session, project_id: uuid.UUID, *, suite_id: str | None = None,
                        tags: Sequence[str] = (), test_ids: Sequence[str] = ()) -> list[TestCase]:
    """Live manual tests of the project in the suite (with sub-suites) or with one of the tags or
    listed; all of them when nothing is given."""
    cases = list(session.exec(select(TestCase).where(
        TestCase.project_id == project_id, TestCase.kind == "manual", col(TestCase.deleted_at).is_(None))).all())
    if not (suite_id or tags or test_ids):
        return sorted(cases, key=lambda c: (c.position, c.name.lower()))
    in_suite: set[uuid.UUID] = set()
    if suite_id:
        suites = list(session.exec(select(Suite).where(Suite.project_id == project_id)).all())
        try:
            in_suite = _descendants(suites, uuid.UUID(str(suite_id)))
        except ValueError:
            raise NotFound("suite") from None
    wanted_tags, wanted_ids = set(tags), {str(t) for t in test_ids}
    return sorted([c for c in cases if (c.suite_id in in_suite) or (wanted_tags & set(c.tags or []))
                   or str(c.id) in wanted_ids], key=lambda c: (c.position, c.name.lower()))


def start_run(project_id: uuid.UUID, principal: Principal, *, name: str, environment: str = "",
              build_label: str = "", milestone: str | None = None, suite_id: str | None = None,
              tags: Sequence[str] = (), test_ids: Sequence[str] = (),
              assignees: dict[str, str] | None = None) -> ManualRun:
    """A new manual run of the selected manual tests (their current versions are snapshotted).
    `assignees`: test case id -> user id (project members only)."""
    name = (name or "").strip()
    if not name:
        raise Invalid("name: give the run a name (e.g. 'Release 2.4 regression')")
    with session_scope() as session:
        _live_project(session, project_id)
        cases = select_manual_tests(session, project_id, suite_id=suite_id, tags=tags, test_ids=test_ids)
        if not cases:
            raise Invalid("selection: no manual tests match it (add manual tests with 'New manual test')")
        members = {str(m) for m in session.exec(select(ProjectMember.user_id).where(
            ProjectMember.project_id == project_id)).all()} | {str(principal.user_id)}
        run = ManualRun(project_id=project_id, name=name[:300], environment=(environment or "").strip()[:200],
                        build_label=(build_label or "").strip()[:200],
                        milestone=(milestone or "").strip()[:200] or None, created_by=principal.user_id)
        session.add(run)
        session.flush()
        for position, case in enumerate(cases):
            assignee = (assignees or {}).get(str(case.id)) or None
            if assignee is not None and assignee not in members:
                raise Invalid(f"assignee: the assignee of '{case.name}' is not a member of this project")
            test = ManualRunTest(run_id=run.id, test_case_id=case.id, test_version=case.version, name=case.name,
                                 definition=case.definition(), position=position,
                                 assignee_id=uuid.UUID(assignee) if assignee else None)
            session.add(test)
            session.flush()
            for index in range(len(case.steps or [])):
                session.add(ManualStepResult(run_id=run.id, run_test_id=test.id, step_index=index))
        _log(session, run.id, principal, "run.started",
             f"started the run with {len(cases)} test{'s' if len(cases) != 1 else ''}")
        session.flush()
        session.expunge(run)
    live_events.publish(run.id, TEST_EVENT, action="run.started")
    return run


def assignable_members(project_id: uuid.UUID) -> list[tuple[str, str]]:
    """(user id, e-mail) of the project's members, by e-mail: who a test can be assigned to."""
    with session_scope() as session:
        rows = session.exec(select(User.id, User.email).join(ProjectMember, col(ProjectMember.user_id) == User.id)
                            .where(ProjectMember.project_id == project_id).order_by(col(User.email))).all()
        return [(str(i), e) for i, e in rows]


def candidates(project_id: uuid.UUID, *, suite_id: str | None = None, tags: Sequence[str] = ()) -> list[TestCase]:
    """The manual tests a new run would hold for this selection (the start form's preview)."""
    with session_scope() as session:
        _live_project(session, project_id)
        return select_manual_tests(session, project_id, suite_id=suite_id or None, tags=tags)


def suites_with_manual_tests(project_id: uuid.UUID) -> list[tuple[str, str]]:
    """(suite id, name) of the live suites, by name: the start form's suite choices."""
    with session_scope() as session:
        rows = session.exec(select(Suite).where(Suite.project_id == project_id,
                                                col(Suite.deleted_at).is_(None))).all()
        return sorted([(str(s.id), s.name) for s in rows], key=lambda r: r[1].lower())
