"""Test cases: validated save with version history, readable diffs, restore, move, duplicate,
soft delete.

Every save that changes the definition (name, description, tags, steps, options) bumps
`version` and appends a `test_case_versions` row in the same transaction (see
`TestCase.version_row`), so history is append-only and restoring an old version is a NEW
version. Validation is the engine's own `TestDefinition`, with its errors turned into
per-step, per-field `Problem`s the editor shows next to the field that is wrong.

Every function takes the `project_id` the caller was authorized for: a test case of another
project is "not found".
"""

from __future__ import annotations

import copy
import difflib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from traceiq_app.db import session_or_scope, session_scope
from traceiq_app.engine.model import STEP_ACTIONS, Locator, TestDefinition
from traceiq_app.models import SourceFormat, TestCase, TestCaseVersion, TestPriority, utcnow
from traceiq_app.models.test_case import OPTION_KEYS, build_definition
from traceiq_app.services.catalog.projects import Invalid, NotFound, _live_project
from traceiq_app.services.catalog.suites import visible_suite

__all__ = [
    "FieldChange",
    "Problem",
    "StepChange",
    "TestCaseInvalid",
    "VersionDiff",
    "create_test_case",
    "delete_test_case",
    "diff_definitions",
    "diff_versions",
    "duplicate_test_case",
    "get_test_case",
    "list_test_cases",
    "list_versions",
    "move_test_case",
    "project_of_test_case",
    "restore_test_case",
    "restore_version",
    "step_summary",
    "update_test_case",
    "validate_parts",
]

MAX_STEPS = 1000


# ---- validation -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One problem: `step` is the 0-based step index (None: the test itself), `field` a dotted
    path inside the step ("url", "target.0.css"; "" = the step as a whole)."""

    step: int | None
    field: str
    message: str
    action: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.step is not None:
            where = f"Step {self.step + 1}" + (f" ({self.action})" if self.action else "") + ": "
        return f"{where}{self.field + ': ' if self.field else ''}{self.message}"


class TestCaseInvalid(Invalid):
    """Saving was refused; `details` holds every located problem (nothing was saved)."""

    __test__ = False

    def __init__(self, details: list[Problem]) -> None:
        self.details = details
        super().__init__([str(p) for p in details])


def _message(err: Any, step: Any) -> str:
    kind = err.get("type", "")
    if kind == "union_tag_invalid" and isinstance(step, dict):
        action = str(step.get("action"))
        close = difflib.get_close_matches(action, STEP_ACTIONS, n=1)
        return f"unknown action '{action}'" + (f" (did you mean '{close[0]}'?)" if close else "")
    if kind == "union_tag_not_found":
        return "choose an action"
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return "unknown field (typo?)"
    if kind == "too_short" and isinstance(err.get("input"), list) and not err.get("input"):
        return "add at least one"
    from traceiq_app.services.platform.human_errors import human_message

    return human_message(err)


def problems_from_validation(exc: ValidationError, steps: list[Any]) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors():
        loc = list(err["loc"])
        if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
            index = loc[1]
            step = steps[index] if index < len(steps) else None
            action = step.get("action") if isinstance(step, dict) else None
            rest = loc[3:] if len(loc) > 2 and loc[2] == action else loc[2:]
            # A locator's own validator reports at target.N (the alternative as a whole).
            problem = Problem(index, ".".join(str(p) for p in rest), _message(err, step),
                              str(action) if action else None)
        else:
            problem = Problem(None, ".".join(str(p) for p in loc), _message(err, None))
        if problem not in problems:
            problems.append(problem)
    return problems


def validate_parts(name: str, steps: list[Any], *, description: str | None = None,
                   tags: list[str] | None = None, options: dict[str, Any] | None = None) -> list[Problem]:
    """Every problem of this would-be definition (empty list: it is valid)."""
    problems: list[Problem] = []
    if not (name or "").strip():
        problems.append(Problem(None, "name", "give the test a name"))
    if len(name or "") > 300:
        problems.append(Problem(None, "name", "at most 300 characters"))
    if not isinstance(steps, list):
        return [*problems, Problem(None, "steps", "must be a list of steps")]
    if len(steps) > MAX_STEPS:
        problems.append(Problem(None, "steps", f"at most {MAX_STEPS} steps"))
    definition = build_definition((name or "").strip() or "untitled", description, tags or [], steps,
                                  options or {})
    try:
        TestDefinition.model_validate(definition)
    except ValidationError as exc:
        problems.extend(p for p in problems_from_validation(exc, steps) if p.field != "name" or p.step is not None)
    return problems


def _check(name: str, steps: list[Any], description: str | None, tags: list[str], options: dict[str, Any]) -> None:
    problems = validate_parts(name, steps, description=description, tags=tags, options=options)
    if problems:
        raise TestCaseInvalid(problems)


def _clean_tags(tags: list[str] | None) -> list[str]:
    out: list[str] = []
    for tag in tags or []:
        tag = str(tag).strip()
        if tag and tag not in out:
            if len(tag) > 50:
                raise Invalid(f"tag '{tag[:20]}…': at most 50 characters")
            out.append(tag)
    return out


def _clean_options(options: dict[str, Any] | None) -> dict[str, Any]:
    unknown = sorted(set(options or {}) - set(OPTION_KEYS))
    if unknown:
        raise Invalid(f"options: unknown {', '.join(unknown)} (allowed: {', '.join(OPTION_KEYS)})")
    return {k: v for k, v in (options or {}).items() if v is not None and v != {} and v != []}


# ---- reading ----------------------------------------------------------------------------------
def _as_uuid(value: uuid.UUID | str | None, what: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(what) from None


def _case(session: Session, project_id: uuid.UUID, test_id: uuid.UUID | str, *, include_deleted: bool = False) -> TestCase:
    case = session.get(TestCase, _as_uuid(test_id, "test"))
    if case is None or case.project_id != project_id or (case.deleted_at is not None and not include_deleted):
        raise NotFound("test")
    return case


def project_of_test_case(test_id: uuid.UUID | str) -> uuid.UUID | None:
    """The project a test case belongs to (None when there is no such test): what a page that
    only has a test id authorizes against."""
    try:
        tid = _as_uuid(test_id, "test")
    except NotFound:
        return None
    with session_scope() as session:
        case = session.get(TestCase, tid)
        return case.project_id if case is not None else None


def get_test_case(project_id: uuid.UUID, test_id: uuid.UUID | str) -> TestCase:
    with session_scope() as session:
        return _case(session, project_id, test_id)


def list_test_cases(project_id: uuid.UUID, suite_id: uuid.UUID | str | None = None, *,
                    deleted: bool = False) -> list[TestCase]:
    """Live tests directly in a folder (None: not in any folder), by position then name.
    `deleted=True`: the deleted tests of the whole project instead (the restore list)."""
    with session_scope() as session:
        _live_project(session, project_id)
        stmt = select(TestCase).where(TestCase.project_id == project_id)
        if deleted:
            stmt = stmt.where(col(TestCase.deleted_at).is_not(None)).order_by(col(TestCase.deleted_at).desc())
            return list(session.exec(stmt).all())
        suite = visible_suite(session, project_id, suite_id) if suite_id else None
        stmt = stmt.where(col(TestCase.deleted_at).is_(None), TestCase.suite_id == (suite.id if suite else None))
        return sorted(session.exec(stmt).all(), key=lambda c: (c.position, c.name.lower()))


def list_versions(project_id: uuid.UUID, test_id: uuid.UUID | str) -> list[TestCaseVersion]:
    """Every saved version, newest first."""
    with session_scope() as session:
        case = _case(session, project_id, test_id)
        return list(session.exec(select(TestCaseVersion).where(TestCaseVersion.test_case_id == case.id)
                                 .order_by(col(TestCaseVersion.version).desc())).all())


# ---- writing ----------------------------------------------------------------------------------
def create_test_case(
    project_id: uuid.UUID,
    name: str,
    steps: list[dict[str, Any]],
    *,
    suite_id: uuid.UUID | str | None = None,
    description: str | None = None,
    tags: list[str] | None = None,
    priority: TestPriority | str = TestPriority.medium,
    options: dict[str, Any] | None = None,
    source_format: SourceFormat | str = SourceFormat.native,
    author_id: uuid.UUID | None = None,
    session: Session | None = None,
) -> TestCase:
    """A new test at version 1 (with its history row). Raises TestCaseInvalid, nothing saved.
    `session`: write in the caller's transaction (see `db.session_or_scope`)."""
    name = (name or "").strip()
    clean_tags = _clean_tags(tags)
    clean_options = _clean_options(options)
    description = (description or "").strip() or None
    _check(name, steps, description, clean_tags, clean_options)
    try:
        prio = TestPriority(priority)
    except ValueError:
        raise Invalid(f"priority: one of {', '.join(p.value for p in TestPriority)}") from None
    with session_or_scope(session) as session:
        _live_project(session, project_id)
        suite = visible_suite(session, project_id, suite_id) if suite_id else None
        count = len(session.exec(select(TestCase.id).where(
            TestCase.project_id == project_id, TestCase.suite_id == (suite.id if suite else None))).all())
        case = TestCase(
            project_id=project_id, suite_id=suite.id if suite else None, name=name, description=description,
            tags=clean_tags, priority=prio, steps=copy.deepcopy(steps), options=clean_options,
            source_format=SourceFormat(source_format), position=count, created_by=author_id,
        )
        session.add(case)
        session.flush()
        session.add(case.version_row(author_id))
        session.flush()
        return case


_UNSET: Any = object()


def update_test_case(
    project_id: uuid.UUID,
    test_id: uuid.UUID | str,
    *,
    name: str = _UNSET,
    steps: list[dict[str, Any]] = _UNSET,
    description: str | None = _UNSET,
    tags: list[str] = _UNSET,
    priority: TestPriority | str = _UNSET,
    options: dict[str, Any] = _UNSET,
    expected_version: int | None = None,
    author_id: uuid.UUID | None = None,
    session: Session | None = None,
) -> TestCase:
    """Save changes. A changed definition bumps the version and writes its history row; a
    priority-only change does not (priority is not part of the definition).

    `expected_version`: the version the editor loaded; when somebody saved since, the save is
    refused instead of silently overwriting their change. `session`: as in `create_test_case`.
    """
    with session_or_scope(session) as session:
        case = _case(session, project_id, test_id)
        if expected_version is not None and case.version != expected_version:
            raise Invalid(f"this test was changed by someone else since you opened it (now version "
                          f"{case.version}, you edited version {expected_version}); reload to see it")
        new_name = case.name if name is _UNSET else (name or "").strip()
        new_steps = case.steps if steps is _UNSET else steps
        new_desc = case.description if description is _UNSET else ((description or "").strip() or None)
        new_tags = case.tags if tags is _UNSET else _clean_tags(tags)
        new_options = case.options if options is _UNSET else _clean_options(options)
        _check(new_name, new_steps, new_desc, new_tags, new_options)
        if priority is not _UNSET:
            try:
                case.priority = TestPriority(priority)
            except ValueError:
                raise Invalid(f"priority: one of {', '.join(p.value for p in TestPriority)}") from None
        before = case.definition()
        case.name, case.description = new_name, new_desc
        case.tags, case.steps, case.options = list(new_tags), copy.deepcopy(new_steps), dict(new_options)
        return save_version(session, case, before, author_id)


def save_version(session: Session, case: TestCase, before: dict[str, Any], author_id: uuid.UUID | None) -> TestCase:
    """After an edit of `case`: a new version (and its history row) when its definition changed
    from `before`, else only the edit time."""
    if case.definition() != before:
        case.version += 1
        session.add(case)
        session.flush()
        session.add(case.version_row(author_id))
    else:
        case.updated_at = utcnow()
        session.add(case)
    session.flush()
    return case


def restore_version(project_id: uuid.UUID, test_id: uuid.UUID | str, version: int,
                    *, author_id: uuid.UUID | None = None) -> TestCase:
    """Make an old version current again, as a NEW version (history is never rewritten)."""
    with session_scope() as session:
        case = _case(session, project_id, test_id)
        row = session.exec(select(TestCaseVersion).where(
            TestCaseVersion.test_case_id == case.id, TestCaseVersion.version == int(version))).first()
        if row is None:
            raise NotFound(f"version {version}")
        if case.kind == "manual":  # a manual definition (preconditions, action/data/expected steps)
            from traceiq_app.services.catalog.manual_cases import restore_manual

            return restore_manual(session, case, dict(row.definition or {}), int(version), author_id)
        raw = dict(row.definition or {})
        try:
            TestDefinition.model_validate(raw)
        except ValidationError as exc:
            raise TestCaseInvalid(problems_from_validation(exc, raw.get("steps") or [])) from None
        # The stored definition as it was saved (not re-dumped with every default filled in).
        parts = {
            "name": raw["name"], "description": raw.get("description"), "tags": list(raw.get("tags") or []),
            "steps": copy.deepcopy(raw["steps"]), "options": {k: raw[k] for k in OPTION_KEYS if k in raw},
        }
        if build_definition(**parts) == case.definition():
            raise Invalid(f"version {version} is the same as the current version {case.version}")
        case.name, case.description, case.tags = parts["name"], parts["description"], parts["tags"]
        case.steps, case.options = parts["steps"], parts["options"]
        case.version += 1
        session.add(case)
        session.flush()
        session.add(case.version_row(author_id))
        session.flush()
        return case


def move_test_case(project_id: uuid.UUID, test_id: uuid.UUID | str, suite_id: uuid.UUID | str | None, *,
                   session: Session | None = None) -> TestCase:
    with session_or_scope(session) as session:
        case = _case(session, project_id, test_id)
        suite = visible_suite(session, project_id, suite_id) if suite_id else None
        case.suite_id = suite.id if suite else None
        session.add(case)
        return case


def duplicate_test_case(project_id: uuid.UUID, test_id: uuid.UUID | str, *,
                        author_id: uuid.UUID | None = None) -> TestCase:
    """A copy ("Copy of ...") in the same folder, at version 1 with its own history."""
    with session_scope() as session:
        case = _case(session, project_id, test_id)
        copy_ = TestCase(
            project_id=project_id, suite_id=case.suite_id, name=f"Copy of {case.name}"[:300],
            description=case.description, tags=list(case.tags), priority=case.priority,
            steps=copy.deepcopy(case.steps), options=copy.deepcopy(case.options),
            source_format=case.source_format, position=case.position + 1, created_by=author_id,
        )
        session.add(copy_)
        session.flush()
        session.add(copy_.version_row(author_id))
        session.flush()
        return copy_


def delete_test_case(project_id: uuid.UUID, test_id: uuid.UUID | str, *, session: Session | None = None) -> TestCase:
    with session_or_scope(session) as session:
        case = _case(session, project_id, test_id)
        case.deleted_at = utcnow()
        session.add(case)
        return case


def restore_test_case(project_id: uuid.UUID, test_id: uuid.UUID | str) -> TestCase:
    """Undo a delete; a test whose folder is gone comes back outside any folder."""
    with session_scope() as session:
        case = _case(session, project_id, test_id, include_deleted=True)
        case.deleted_at = None
        if case.suite_id is not None:
            try:
                visible_suite(session, project_id, case.suite_id)
            except NotFound:
                case.suite_id = None
        session.add(case)
        return case


# ---- diffs -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class StepChange:
    """kind: "added" | "removed" | "changed" | "same". Indexes are 0-based (None: absent)."""

    kind: str
    old_index: int | None
    new_index: int | None
    action: str
    summary: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class VersionDiff:
    from_version: int | None
    to_version: int | None
    test_fields: list[FieldChange]
    steps: list[StepChange]

    @property
    def changed_steps(self) -> list[StepChange]:
        return [s for s in self.steps if s.kind != "same"]

    def summary(self) -> str:
        counts = {k: sum(1 for s in self.steps if s.kind == k) for k in ("added", "removed", "changed")}
        parts = [f"{n} step{'s' if n != 1 else ''} {k}" for k, n in counts.items() if n]
        if self.test_fields:
            parts.append(", ".join(f.field for f in self.test_fields) + " changed")
        return "; ".join(parts) or "no differences"

    def text(self) -> str:
        """A plain-text rendering (used in logs and tests)."""
        lines = [f"v{self.from_version} -> v{self.to_version}: {self.summary()}"]
        for f in self.test_fields:
            lines.append(f"~ {f.field}: {f.old} -> {f.new}")
        for s in self.changed_steps:
            mark = {"added": "+", "removed": "-", "changed": "~"}[s.kind]
            num = s.new_index if s.new_index is not None else s.old_index
            lines.append(f"{mark} step {(num or 0) + 1} {s.summary}")
            lines.extend(f"    {f.field}: {f.old} -> {f.new}" for f in s.fields)
        return "\n".join(lines)


def _short(value: Any) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 200 else text[:197] + "..."


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out or ({prefix: {}} if prefix else {})
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = {}
        for i, v in enumerate(value):
            out.update(_flatten(v, f"{prefix}.{i}" if prefix else str(i)))
        return out
    return {prefix: value}


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    a, b = _flatten(old), _flatten(new)
    keys = list(dict.fromkeys([*a, *b]))
    return [FieldChange(k, _short(a.get(k)), _short(b.get(k))) for k in keys if a.get(k) != b.get(k)]


def step_summary(step: dict[str, Any]) -> str:
    """One readable line for a step: `click role=button[name="Sign in"]`, `goto /login`."""
    if not isinstance(step, dict):
        return "(not a step)"
    action = str(step.get("action") or "?")
    parts = [action]
    for key in ("url", "key", "value", "text", "expected", "variable", "label", "script"):
        if isinstance(step.get(key), str | int | float) and str(step.get(key)) != "":
            parts.append(_short(str(step[key]))[:60])
            break
    target = step.get("target")
    if isinstance(target, dict):
        target = [target]
    if isinstance(target, list) and target:
        try:
            parts.append(Locator.model_validate(target[0]).describe())
        except (ValidationError, TypeError):
            parts.append("(invalid locator)")
        if len(target) > 1:
            parts.append(f"(+{len(target) - 1} fallback{'s' if len(target) > 2 else ''})")
    name = step.get("name")
    if isinstance(name, str) and name.strip() and name.strip() != action:
        parts.append(f"· {name.strip()[:60]}")
    return " ".join(parts)


def _canon(step: Any) -> str:
    return json.dumps(step, sort_keys=True, ensure_ascii=False)


def diff_definitions(old: dict[str, Any], new: dict[str, Any], *,
                     from_version: int | None = None, to_version: int | None = None) -> VersionDiff:
    """Step-level diff: steps are matched by content (like a line diff); a replaced step with the
    same action is "changed" with field-by-field differences, otherwise removed + added."""
    old_head = {k: v for k, v in old.items() if k != "steps"}
    new_head = {k: v for k, v in new.items() if k != "steps"}
    test_fields = _field_changes(old_head, new_head)
    old_steps = list(old.get("steps") or [])
    new_steps = list(new.get("steps") or [])
    matcher = difflib.SequenceMatcher(a=[_canon(s) for s in old_steps], b=[_canon(s) for s in new_steps],
                                      autojunk=False)
    out: list[StepChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                step = new_steps[j1 + k]
                out.append(StepChange("same", i1 + k, j1 + k, str(step.get("action")), step_summary(step)))
            continue
        olds, news = list(range(i1, i2)), list(range(j1, j2))
        while olds or news:
            if olds and news and old_steps[olds[0]].get("action") == new_steps[news[0]].get("action"):
                o, n = olds.pop(0), news.pop(0)
                out.append(StepChange("changed", o, n, str(new_steps[n].get("action")),
                                      step_summary(new_steps[n]),
                                      _field_changes(old_steps[o], new_steps[n])))
            elif olds and (not news or len(olds) >= len(news)):
                o = olds.pop(0)
                out.append(StepChange("removed", o, None, str(old_steps[o].get("action")),
                                      step_summary(old_steps[o])))
            else:
                n = news.pop(0)
                out.append(StepChange("added", None, n, str(new_steps[n].get("action")),
                                      step_summary(new_steps[n]),
                                      [FieldChange(f.field, "—", f.new) for f in _field_changes({}, new_steps[n])]))
    return VersionDiff(from_version, to_version, test_fields, out)


def diff_versions(project_id: uuid.UUID, test_id: uuid.UUID | str, from_version: int, to_version: int) -> VersionDiff:
    with session_scope() as session:
        case = _case(session, project_id, test_id)
        rows = {r.version: r for r in session.exec(select(TestCaseVersion).where(
            TestCaseVersion.test_case_id == case.id,
            col(TestCaseVersion.version).in_([int(from_version), int(to_version)]))).all()}
    for v in (from_version, to_version):
        if int(v) not in rows:
            raise NotFound(f"version {v}")
    return diff_definitions(rows[int(from_version)].definition, rows[int(to_version)].definition,
                            from_version=int(from_version), to_version=int(to_version))
