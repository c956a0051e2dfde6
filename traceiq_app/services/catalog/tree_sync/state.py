"""What the server holds for tests as code (live folders, live native tests, environments), and
the files that represent it (`export_files`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from traceiq_app.models import Environment, SourceFormat, Suite, TestCase
from traceiq_app.services.catalog.tree_sync import layout


@dataclass
class ServerState:
    suites: dict[uuid.UUID, Suite] = field(default_factory=dict)  # visible ones only
    tests: dict[uuid.UUID, TestCase] = field(default_factory=dict)  # live native/manual tests in visible places
    environments: dict[uuid.UUID, Environment] = field(default_factory=dict)
    hidden_suites: set[uuid.UUID] = field(default_factory=set)  # deleted, or inside a deleted folder
    other_tests: dict[uuid.UUID, TestCase] = field(default_factory=dict)  # imported results' tests, hidden ones


def _order(row: Suite | TestCase) -> tuple[int, str, str]:
    return (row.position, row.name.lower(), str(row.id))


def load_state(session: Session, project_id: uuid.UUID) -> ServerState:
    state = ServerState()
    all_suites = {s.id: s for s in session.exec(select(Suite).where(Suite.project_id == project_id)).all()}

    def visible(suite: Suite) -> bool:
        seen: set[uuid.UUID] = set()
        cur: Suite | None = suite
        while cur is not None and cur.id not in seen:
            if cur.deleted_at is not None:
                return False
            seen.add(cur.id)
            cur = all_suites.get(cur.parent_id) if cur.parent_id else None
        return True

    for suite in all_suites.values():
        if visible(suite):
            state.suites[suite.id] = suite
        else:
            state.hidden_suites.add(suite.id)
    for case in session.exec(select(TestCase).where(TestCase.project_id == project_id,
                                                    col(TestCase.deleted_at).is_(None))).all():
        in_view = case.suite_id is None or case.suite_id in state.suites
        # Manual tests are files too (`kind: manual`, steps of action/data/expected).
        if in_view and case.source_format != SourceFormat.imported:
            state.tests[case.id] = case
        else:
            state.other_tests[case.id] = case
    for env in session.exec(select(Environment).where(Environment.project_id == project_id)).all():
        state.environments[env.id] = env
    return state


def folder_paths(state: ServerState) -> dict[uuid.UUID, str]:
    """suite id -> its folder path ("a/b"), names unique among siblings."""
    children: dict[uuid.UUID | None, list[Suite]] = {}
    for suite in state.suites.values():
        children.setdefault(suite.parent_id, []).append(suite)
    paths: dict[uuid.UUID, str] = {}

    def walk(parent: uuid.UUID | None, prefix: str) -> None:
        kids = sorted(children.get(parent, []), key=_order)
        names = layout.unique_names([(s.id, s.name) for s in kids])
        for suite in kids:
            if suite.id in paths:
                continue
            paths[suite.id] = prefix + names[suite.id]
            walk(suite.id, paths[suite.id] + "/")

    walk(None, "")
    return paths


def test_paths(state: ServerState, folders: dict[uuid.UUID, str]) -> dict[uuid.UUID, str]:
    by_folder: dict[uuid.UUID | None, list[TestCase]] = {}
    for case in state.tests.values():
        by_folder.setdefault(case.suite_id, []).append(case)
    out: dict[uuid.UUID, str] = {}
    for suite_id, cases in by_folder.items():
        if suite_id is not None and suite_id not in folders:
            continue
        prefix = folders[suite_id] + "/" if suite_id is not None else ""
        names = layout.unique_names([(c.id, c.name) for c in sorted(cases, key=_order)])
        for case in cases:
            out[case.id] = f"{prefix}{names[case.id]}.yaml"
    return out


def export_files(state: ServerState) -> dict[str, str]:
    """path -> YAML text, sorted by path."""
    files: dict[str, str] = {}
    folders = folder_paths(state)
    for suite_id, path in folders.items():
        suite = state.suites[suite_id]
        files[f"{path}/{layout.SUITE_FILE}"] = layout.dump(layout.suite_document(
            {"id": str(suite.id), "name": suite.name, "settings": suite.settings or {}}))
    for case_id, path in test_paths(state, folders).items():
        case = state.tests[case_id]
        files[path] = layout.dump(layout.test_document({
            "id": str(case.id), "name": case.name, "kind": case.kind, "description": case.description,
            "preconditions": case.preconditions, "priority": str(case.priority), "tags": case.tags or [],
            # A manual test's options hold its attachment list: files stay on the server, not in files.
            "options": (case.options or {}) if case.kind != "manual" else {},
            "steps": case.steps or []}))
    if state.environments:
        envs = sorted(state.environments.values(), key=lambda e: (e.name.lower(), str(e.id)))
        files[layout.ENVIRONMENTS_FILE] = layout.dump({"environments": [layout.environment_document({
            "id": str(e.id), "name": e.name, "base_url": e.base_url, "variables": e.variables or {},
            "secret_names": e.secret_names or []}) for e in envs]})
    return dict(sorted(files.items()))
