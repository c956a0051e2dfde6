"""Comparing a pushed folder with the project, and applying the difference in ONE transaction.

Matching: by `id` (a renamed or moved test/folder is an update); a folder without an id matches
a live folder of the same name under the same parent; an environment without an id matches by
name; a test without an id is new. What the files no longer hold is deleted only with `prune`
(else it is listed as kept). Imported results' tests are never touched.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from traceiq_app.models import Environment, ExecutionSettings, Suite, TestCase, TestPriority, utcnow
from traceiq_app.models.test_case import build_definition, manual_definition
from traceiq_app.services.catalog import manual_cases, test_cases
from traceiq_app.services.catalog.environments import _check_base_url, _check_names
from traceiq_app.services.catalog.projects import Invalid
from traceiq_app.services.catalog.tree_sync.parse import (
    TreeInvalid,
    Wanted,
    WantedEnvironment,
    WantedSuite,
    WantedTest,
)
from traceiq_app.services.catalog.tree_sync.state import ServerState, folder_paths, test_paths
from traceiq_app.services.platform.secrets_crypto import encrypt_secrets

KIND_ORDER = {"environment": 0, "suite": 1, "test": 2}
OP_ORDER = {"create": 0, "update": 1, "delete": 2}


@dataclass
class Change:
    op: str  # create | update | delete
    kind: str  # environment | suite | test
    path: str  # file / folder / environment name
    id: str | None = None
    details: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "kind": self.kind, "path": self.path, "id": self.id, "details": self.details}

    def line(self) -> str:
        mark = {"create": "+", "update": "~", "delete": "-"}[self.op]
        return f"{mark} {self.kind} {self.path}" + (f" ({'; '.join(self.details)})" if self.details else "")


@dataclass
class Plan:
    prune: bool = False
    changes: list[Change] = field(default_factory=list)
    kept: list[Change] = field(default_factory=list)  # would be deleted with prune
    warnings: list[str] = field(default_factory=list)
    # resolution, for apply
    suite_ids: dict[str, uuid.UUID | None] = field(default_factory=dict)  # folder -> existing id (None: new)
    test_ids: dict[str, uuid.UUID | None] = field(default_factory=dict)
    env_ids: dict[int, uuid.UUID | None] = field(default_factory=dict)
    delete_tests: list[uuid.UUID] = field(default_factory=list)
    delete_suites: list[uuid.UUID] = field(default_factory=list)
    delete_envs: list[uuid.UUID] = field(default_factory=list)

    @property
    def touches_environments(self) -> bool:
        return any(c.kind == "environment" for c in self.changes)

    def summary(self) -> dict[str, int]:
        return {op: sum(1 for c in self.changes if c.op == op) for op in OP_ORDER}

    def to_dict(self) -> dict[str, Any]:
        def key(c: Change) -> tuple[int, int, str]:
            return (OP_ORDER[c.op], KIND_ORDER[c.kind], c.path)

        return {"summary": self.summary(), "changes": [c.to_dict() for c in sorted(self.changes, key=key)],
                "kept": [c.to_dict() for c in sorted(self.kept, key=key)], "warnings": self.warnings}


def _settings(suite: WantedSuite, problems: list[dict[str, str]]) -> dict[str, Any]:
    try:
        return ExecutionSettings.model_validate(suite.settings).to_json()
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            problems.append({"file": f"{suite.path}/_suite.yaml", "problem": f"settings.{where}: {err['msg']}"})
        return {}


def _normalized(settings: dict[str, Any]) -> dict[str, Any]:
    try:
        return ExecutionSettings.model_validate(settings).to_json()
    except ValidationError:
        return settings


def _plan_suites(wanted: Wanted, state: ServerState, plan: Plan, problems: list[dict[str, str]]) -> None:
    claimed: dict[uuid.UUID, str] = {}
    for suite in wanted.suites.values():
        if suite.id is None:
            continue
        file = f"{suite.path}/_suite.yaml"
        if suite.id in claimed:
            problems.append({"file": file, "problem": f"id: the same folder id is also in {claimed[suite.id]}"})
        elif suite.id in state.hidden_suites:
            problems.append({"file": file, "problem": "id: this folder was deleted on the server; remove the id "
                                                      "line to create it again"})
        elif suite.id not in state.suites:
            problems.append({"file": file, "problem": "id: no folder with this id in the project"})
        claimed[suite.id] = file
    folders = folder_paths(state)
    for path in sorted(wanted.suites, key=lambda p: (p.count("/"), p)):
        suite = wanted.suites[path]
        parent_id = plan.suite_ids.get(suite.parent_path) if suite.parent_path else None
        existing: Suite | None = state.suites.get(suite.id) if suite.id else None
        if existing is None and suite.id is None and (suite.parent_path is None or parent_id is not None):
            existing = next((s for s in sorted(state.suites.values(), key=lambda s: (s.position, str(s.id)))
                             if s.parent_id == parent_id and s.name == suite.name and s.id not in claimed), None)
            if existing is not None:
                claimed[existing.id] = path
        settings = _settings(suite, problems)
        if existing is None:
            plan.suite_ids[path] = None
            plan.changes.append(Change("create", "suite", path, details=[f"name '{suite.name}'"]))
            continue
        plan.suite_ids[path] = existing.id
        details = []
        if existing.name != suite.name:
            details.append(f"renamed '{existing.name}' -> '{suite.name}'")
        if existing.parent_id != parent_id:
            details.append(f"moved from {folders.get(existing.parent_id, '(top)') if existing.parent_id else '(top)'}")
        if _normalized(existing.settings or {}) != settings:
            details.append("settings changed")
        if details:
            plan.changes.append(Change("update", "suite", path, str(existing.id), details))
    matched = {i for i in plan.suite_ids.values() if i is not None}
    for suite_id, suite_row in state.suites.items():
        if suite_id in matched:
            continue
        change = Change("delete", "suite", folders.get(suite_id, suite_row.name), str(suite_id))
        if plan.prune:
            plan.changes.append(change)
            plan.delete_suites.append(suite_id)
        else:
            plan.kept.append(change)


def _definition(test: WantedTest, case: TestCase | None = None) -> dict[str, Any]:
    """What the file asks for, in the form `case.definition()` has (a manual test keeps the
    attachment list it has on the server: files do not carry attachments)."""
    if test.kind == "manual":
        files = list(((case.options or {}) if case is not None else {}).get("attachments") or [])
        return manual_definition(test.name, test.description, test.preconditions, test.tags, test.steps, files)
    return build_definition(test.name, test.description, test.tags, test.steps, test.options)


def _plan_tests(wanted: Wanted, state: ServerState, plan: Plan, problems: list[dict[str, str]]) -> None:
    claimed: dict[uuid.UUID, str] = {}
    paths = test_paths(state, folder_paths(state))
    for test in wanted.tests:
        if test.id is not None:
            if test.id in claimed:
                problems.append({"file": test.path, "problem": f"id: the same test id is also in {claimed[test.id]} "
                                                               "(remove the id line of a copy to create a new test)"})
                continue
            if test.id not in state.tests:
                why = ("belongs to imported results or a deleted folder" if test.id in state.other_tests
                       else "no test with this id in the project (deleted? remove the id line to create it anew)")
                problems.append({"file": test.path, "problem": f"id: {why}"})
                continue
            if state.tests[test.id].kind != test.kind:
                problems.append({"file": test.path, "problem": f"kind: this test is {state.tests[test.id].kind} "
                                 f"on the server; a test's kind cannot change (remove the id line to create a "
                                 f"new {test.kind} test)"})
                continue
            claimed[test.id] = test.path
        suite_id = plan.suite_ids.get(test.folder) if test.folder else None
        case = state.tests.get(test.id) if test.id else None
        if case is None:
            plan.test_ids[test.path] = None
            plan.changes.append(Change("create", "test", test.path, details=[f"'{test.name}', {len(test.steps)} steps"]))
            continue
        plan.test_ids[test.path] = case.id
        details = []
        if case.definition() != _definition(test, case):
            diff = test_cases.diff_definitions(case.definition(), _definition(test, case))
            details.append(f"new version {case.version + 1}: {diff.summary()}")
        if str(case.priority) != test.priority:
            details.append(f"priority {case.priority} -> {test.priority}")
        if case.suite_id != suite_id or (test.folder is not None and suite_id is None):
            details.append(f"moved from {paths.get(case.id, '?').rsplit('/', 1)[0] if case.suite_id else '(top)'}")
        if details:
            plan.changes.append(Change("update", "test", test.path, str(case.id), details))
    for case_id, case in state.tests.items():
        if case_id in claimed:
            continue
        change = Change("delete", "test", paths.get(case_id, case.name), str(case_id), [f"'{case.name}'"])
        if plan.prune:
            plan.changes.append(change)
            plan.delete_tests.append(case_id)
        else:
            plan.kept.append(change)


def _plan_environments(wanted: Wanted, state: ServerState, plan: Plan, problems: list[dict[str, str]]) -> None:
    if wanted.environments is None:
        return
    file = "_environments.yaml"
    claimed: set[uuid.UUID] = set()
    names: set[str] = set()
    for env in wanted.environments:
        where = f"environments[{env.index}] ({env.name})"
        if env.name in names:
            problems.append({"file": file, "problem": f"{where}: the name is used twice"})
        names.add(env.name)
        try:
            _check_names("variables", env.variables)
            _check_names("secrets", dict.fromkeys(env.secrets, ""))
            _check_base_url(env.base_url)
        except Invalid as exc:
            problems.append({"file": file, "problem": f"{where}: {exc.message}"})
        existing = state.environments.get(env.id) if env.id else None
        if env.id is not None and existing is None:
            problems.append({"file": file, "problem": f"{where}: id: no environment with this id in the project"})
            continue
        if existing is None:
            existing = next((e for e in state.environments.values() if e.name == env.name and e.id not in claimed
                             and e.id not in {w.id for w in wanted.environments if w.id}), None)
        if existing is None:
            plan.env_ids[env.index] = None
            plan.changes.append(Change("create", "environment", env.name))
            if env.secrets:
                plan.warnings.append(f"environment {env.name}: secrets {', '.join(env.secrets)} have no value; "
                                     "set them in the web app (files never hold secret values)")
            continue
        claimed.add(existing.id)
        plan.env_ids[env.index] = existing.id
        details = []
        if existing.name != env.name:
            details.append(f"renamed '{existing.name}' -> '{env.name}'")
        if (existing.base_url or None) != ((env.base_url or "").strip() or None):
            details.append("base_url changed")
        if (existing.variables or {}) != env.variables:
            details.append("variables changed")
        if details:
            plan.changes.append(Change("update", "environment", env.name, str(existing.id), details))
        missing = sorted(set(env.secrets) - set(existing.secret_names or []))
        extra = sorted(set(existing.secret_names or []) - set(env.secrets))
        if missing:
            plan.warnings.append(f"environment {env.name}: secrets {', '.join(missing)} have no value on the "
                                 "server; set them in the web app (files never hold secret values)")
        if extra:
            plan.warnings.append(f"environment {env.name}: secrets {', '.join(extra)} are kept (remove secrets "
                                 "in the web app)")
    for env_id, env_row in state.environments.items():
        if env_id in claimed:
            continue
        change = Change("delete", "environment", env_row.name, str(env_id))
        if plan.prune:
            plan.changes.append(change)
            plan.delete_envs.append(env_id)
        else:
            plan.kept.append(change)


def make_plan(wanted: Wanted, state: ServerState, *, prune: bool) -> Plan:
    plan = Plan(prune=prune)
    problems: list[dict[str, str]] = []
    _plan_environments(wanted, state, plan, problems)
    _plan_suites(wanted, state, plan, problems)
    _plan_tests(wanted, state, plan, problems)
    if problems:
        raise TreeInvalid(problems)
    return plan


# ---- applying ---------------------------------------------------------------------------------
def apply_plan(session: Session, project_id: uuid.UUID, wanted: Wanted, plan: Plan,
               author_id: uuid.UUID | None) -> None:
    """Write the plan in `session` (the caller's transaction commits or rolls back all of it)."""
    suite_ids: dict[str, uuid.UUID] = {}
    for path in sorted(wanted.suites, key=lambda p: (p.count("/"), p)):
        suite = wanted.suites[path]
        parent = suite_ids[suite.parent_path] if suite.parent_path else None
        settings = ExecutionSettings.model_validate(suite.settings).to_json()
        existing_id = plan.suite_ids.get(path)
        row = session.get(Suite, existing_id) if existing_id else None
        if row is None:
            siblings = list(session.exec(_siblings(project_id, parent)).all())
            row = Suite(project_id=project_id, name=suite.name, parent_id=parent, position=len(siblings),
                        settings=settings)
        else:
            if row.parent_id != parent:
                row.position = len(list(session.exec(_siblings(project_id, parent)).all()))
            row.name, row.parent_id, row.settings = suite.name, parent, settings
        session.add(row)
        session.flush()
        suite_ids[path] = row.id
    for test in wanted.tests:
        suite_id = suite_ids[test.folder] if test.folder else None
        existing = plan.test_ids.get(test.path)
        if test.kind == "manual":
            _apply_manual(session, project_id, test, existing, suite_id, author_id)
            continue
        if existing is None:
            test_cases.create_test_case(project_id, test.name, test.steps, suite_id=suite_id,
                                        description=test.description, tags=test.tags, priority=test.priority,
                                        options=test.options, author_id=author_id, session=session)
            continue
        case = session.get(TestCase, existing)
        assert case is not None
        if case.suite_id != suite_id:
            test_cases.move_test_case(project_id, existing, suite_id, session=session)
        if case.definition() != _definition(test) or str(case.priority) != test.priority:
            test_cases.update_test_case(project_id, existing, name=test.name, steps=test.steps,
                                        description=test.description, tags=test.tags, priority=test.priority,
                                        options=test.options, author_id=author_id, session=session)
    for test_id in plan.delete_tests:
        test_cases.delete_test_case(project_id, test_id, session=session)
    for suite_id_ in plan.delete_suites:
        row = session.get(Suite, suite_id_)
        if row is not None:
            row.deleted_at = utcnow()
            session.add(row)
    _apply_environments(session, project_id, wanted.environments, plan)
    session.flush()


def _apply_manual(session: Session, project_id: uuid.UUID, test: WantedTest, existing: uuid.UUID | None,
                  suite_id: uuid.UUID | None, author_id: uuid.UUID | None) -> None:
    common: dict[str, Any] = {"description": test.description, "preconditions": test.preconditions,
                              "tags": test.tags, "author_id": author_id, "session": session}
    if existing is None:
        manual_cases.create_manual_case(project_id, test.name, test.steps, suite_id=suite_id,
                                        priority=test.priority, **common)
        return
    case = session.get(TestCase, existing)
    assert case is not None
    if case.suite_id != suite_id:
        test_cases.move_test_case(project_id, existing, suite_id, session=session)
    if case.definition() != _definition(test, case):
        manual_cases.update_manual_case(project_id, existing, name=test.name, steps=test.steps, **common)
    if str(case.priority) != test.priority:
        case.priority = TestPriority(test.priority)
        session.add(case)


def _siblings(project_id: uuid.UUID, parent: uuid.UUID | None) -> Any:
    from sqlmodel import col, select

    return select(Suite.id).where(Suite.project_id == project_id, Suite.parent_id == parent,
                                  col(Suite.deleted_at).is_(None))


def _apply_environments(session: Session, project_id: uuid.UUID, envs: list[WantedEnvironment] | None,
                        plan: Plan) -> None:
    for env_id in plan.delete_envs:
        row = session.get(Environment, env_id)
        if row is not None:
            session.delete(row)
    session.flush()
    for env in envs or []:
        existing = plan.env_ids.get(env.index)
        row = session.get(Environment, existing) if existing else None
        if row is None:
            row = Environment(project_id=project_id, name=env.name, secrets_encrypted=encrypt_secrets({}),
                              secret_names=[])
        row.name, row.base_url = env.name, _check_base_url(env.base_url)
        row.variables = _check_names("variables", env.variables)
        session.add(row)
    session.flush()
