"""Manual test cases: a `test_cases` row with `kind = "manual"`, preconditions and numbered steps
(each an action, test data and an expected result). Versions are the usual `test_case_versions`
rows holding the manual definition (`TestCase.definition()`), so the history page and
`test_cases.diff_versions` work for them unchanged.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from traceiq_app.db import session_or_scope, session_scope
from traceiq_app.models import TestCase, TestPriority
from traceiq_app.models.test_case import manual_definition
from traceiq_app.services.catalog.projects import Invalid, NotFound, _live_project
from traceiq_app.services.catalog.suites import visible_suite
from traceiq_app.services.catalog.test_cases import _as_uuid, _clean_tags, save_version

__all__ = ["MANUAL", "clean_steps", "create_manual_case", "get_manual_case", "list_manual_cases",
           "restore_manual", "update_manual_case"]

MANUAL = "manual"
MAX_STEPS = 200
MAX_TEXT = 10_000


def clean_steps(steps: list[Any] | None) -> list[dict[str, str]]:
    """Steps as `{"action", "data", "expected"}`; blank rows dropped. Raises Invalid with the
    step number of the problem."""
    out: list[dict[str, str]] = []
    for raw in steps or []:
        if not isinstance(raw, dict):
            raise Invalid(f"steps: step {len(out) + 1} is not an action/data/expected entry")
        step = {k: str(raw.get(k) or "").strip() for k in ("action", "data", "expected")}
        if not any(step.values()):
            continue
        if not step["action"]:
            raise Invalid(f"steps: step {len(out) + 1} needs an action (what the tester does)")
        for key, value in step.items():
            if len(value) > MAX_TEXT:
                raise Invalid(f"steps: step {len(out) + 1} {key} is longer than {MAX_TEXT} characters")
        out.append(step)
    if not out:
        raise Invalid("steps: a manual test needs at least one step with an action")
    if len(out) > MAX_STEPS:
        raise Invalid(f"steps: at most {MAX_STEPS} steps")
    return out


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid("name: a test needs a name")
    if len(name) > 300:
        raise Invalid("name: at most 300 characters")
    return name


def _manual(session: Session, project_id: uuid.UUID, test_id: uuid.UUID | str) -> TestCase:
    case = session.get(TestCase, _as_uuid(test_id, "test"))
    if case is None or case.project_id != project_id or case.deleted_at is not None or case.kind != MANUAL:
        raise NotFound("manual test")
    return case


def get_manual_case(project_id: uuid.UUID, test_id: uuid.UUID | str) -> TestCase:
    with session_scope() as session:
        return _manual(session, project_id, test_id)


def list_manual_cases(project_id: uuid.UUID) -> list[TestCase]:
    """Every live manual test of the project, by name."""
    with session_scope() as session:
        _live_project(session, project_id)
        rows = session.exec(select(TestCase).where(
            TestCase.project_id == project_id, TestCase.kind == MANUAL, col(TestCase.deleted_at).is_(None))).all()
        return sorted(rows, key=lambda c: c.name.lower())


def create_manual_case(project_id: uuid.UUID, name: str, steps: list[Any], *, suite_id: uuid.UUID | str | None = None,
                       description: str | None = None, preconditions: str | None = None,
                       tags: list[str] | None = None, priority: TestPriority | str = TestPriority.medium,
                       author_id: uuid.UUID | None = None, session: Session | None = None) -> TestCase:
    """A new manual test at version 1 (with its history row). Raises Invalid, nothing saved."""
    name, clean = _clean_name(name), clean_steps(steps)
    clean_tags = _clean_tags(tags)
    try:
        prio = TestPriority(priority)
    except ValueError:
        raise Invalid(f"priority: one of {', '.join(p.value for p in TestPriority)}") from None
    with session_or_scope(session) as session:
        _live_project(session, project_id)
        suite = visible_suite(session, project_id, suite_id) if suite_id else None
        count = len(session.exec(select(TestCase.id).where(
            TestCase.project_id == project_id, TestCase.suite_id == (suite.id if suite else None))).all())
        case = TestCase(project_id=project_id, suite_id=suite.id if suite else None, name=name,
                        description=(description or "").strip() or None, kind=MANUAL,
                        preconditions=(preconditions or "").strip() or None, tags=clean_tags, priority=prio,
                        steps=clean, options={}, position=count, created_by=author_id)
        session.add(case)
        session.flush()
        session.add(case.version_row(author_id))
        session.flush()
        return case


def update_manual_case(project_id: uuid.UUID, test_id: uuid.UUID | str, *, name: str, steps: list[Any],
                       description: str | None = None, preconditions: str | None = None,
                       tags: list[str] | None = None, expected_version: int | None = None,
                       author_id: uuid.UUID | None = None, attachments: list[dict[str, Any]] | None = None,
                       session: Session | None = None) -> TestCase:
    """Save a manual test; a changed definition bumps the version and writes its history row.
    `expected_version`: refused when somebody saved since (never a silent overwrite)."""
    name, clean = _clean_name(name), clean_steps(steps)
    clean_tags = _clean_tags(tags)
    with session_or_scope(session) as session:
        case = _manual(session, project_id, test_id)
        if expected_version is not None and case.version != expected_version:
            raise Invalid(f"this test was changed by someone else since you opened it (now version "
                          f"{case.version}, you edited version {expected_version}); reload to see it")
        before = case.definition()
        case.name, case.steps, case.tags = name, clean, clean_tags
        case.description = (description or "").strip() or None
        case.preconditions = (preconditions or "").strip() or None
        if attachments is not None:
            case.options = {**(case.options or {}), "attachments": attachments}
        return save_version(session, case, before, author_id)


def restore_manual(session: Session, case: TestCase, raw: dict[str, Any], version: int,
                   author_id: uuid.UUID | None) -> TestCase:
    """`test_cases.restore_version` for a manual test: the stored manual definition of `version`
    becomes current again as a NEW version (history is never rewritten)."""
    if raw.get("kind") != MANUAL:
        raise Invalid(f"version {version} is not a manual test's version; it cannot be restored here")
    name, steps = _clean_name(str(raw.get("name") or "")), clean_steps(list(raw.get("steps") or []))
    tags, files = _clean_tags(list(raw.get("tags") or [])), list(raw.get("attachments") or [])
    description = str(raw.get("description") or "").strip() or None
    preconditions = str(raw.get("preconditions") or "").strip() or None
    if manual_definition(name, description, preconditions, tags, steps, files) == case.definition():
        raise Invalid(f"version {version} is the same as the current version {case.version}")
    case.name, case.description, case.preconditions, case.tags, case.steps = (
        name, description, preconditions, tags, steps)
    case.options = {**(case.options or {}), "attachments": files}
    case.version += 1
    session.add(case)
    session.flush()
    session.add(case.version_row(author_id))
    session.flush()
    return case
