"""Permission-matrix entries for the catalog states (projects, suites, editor, environments,
imports), in the format of tests/accounts/permission_matrix.py, which merges them with
`HANDLERS.update(CATALOG_HANDLERS)`.

Each call points the state at Acme's project (or at a test / folder / environment made in it
just before the handler runs: those tables are not part of the Acme fingerprint) and calls
the handler the way a raw websocket frame could.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from sqlmodel import Session

from tests.accounts.permission_matrix import (
    _PUBLIC_SETVAR,
    ADMINS,
    EDITORS,
    EVERYONE,
    MEMBERS,
    OWNERS,
    PATH_VALUES,
    SIGNED_IN,
    H,
    MatrixContext,
    R,
)
from traceiq_app.db import get_engine
from traceiq_app.models import Environment, Suite, TestCase, utcnow

RECORDER = json.dumps({"title": "Flow", "steps": [{"type": "navigate", "url": "https://x.test/"}]})
DRAFT = H(EVERYONE, None, public=True, note="edits this tab's unsaved draft only; no database access")


def _suite(ctx: MatrixContext, *, deleted: bool = False) -> str:
    with Session(get_engine(), expire_on_commit=False) as s:
        suite = Suite(project_id=ctx.project_id, name="Matrix folder", deleted_at=utcnow() if deleted else None)
        s.add(suite)
        s.commit()
        return str(suite.id)


def _test(ctx: MatrixContext, *, deleted: bool = False) -> str:
    with Session(get_engine(), expire_on_commit=False) as s:
        case = TestCase(project_id=ctx.project_id, name="Matrix test", steps=[{"action": "goto", "url": "/a"}],
                        deleted_at=utcnow() if deleted else None)
        s.add(case)
        s.flush()
        s.add(case.version_row(None))
        case.steps, case.version = [{"action": "goto", "url": "/b"}], 2
        s.add(case)
        s.flush()
        s.add(case.version_row(None))
        s.commit()
        return str(case.id)


def _env(ctx: MatrixContext) -> str:
    with Session(get_engine(), expire_on_commit=False) as s:
        env = Environment(project_id=ctx.project_id, name=f"matrix-{uuid.uuid4().hex[:6]}")
        s.add(env)
        s.commit()
        return str(env.id)


def _on_project(state: Any, ctx: MatrixContext) -> Any:
    state.pid = str(ctx.project_id)
    return state


def _editor(state: Any, ctx: MatrixContext) -> Any:
    state.tid, state.pid = _test(ctx), str(ctx.project_id)
    state.name, state.steps = "Matrix test", []
    from traceiq_app.state.catalog.editor_forms import new_step, step_to_view

    step = new_step("goto")
    step["url"] = "/c"
    state.steps = [step_to_view(step)]
    return state


def _advice(state: Any, ctx: MatrixContext) -> Any:
    """The locator-advice state with the editor (its sibling) holding Acme's test and a brittle click."""
    from traceiq_app.state.catalog.editor import EditorState
    from traceiq_app.state.catalog.editor_forms import step_to_view

    editor = state._get_root_state().get_substate(EditorState.get_full_name().split("."))
    _editor(editor, ctx)
    editor.steps = [step_to_view({"action": "click", "target": [{"css": "div:nth-child(2) > ul > li:nth-child(3)"}]})]
    return state


def _new_editor(state: Any, ctx: MatrixContext) -> Any:
    _editor(state, ctx)
    state.tid = ""
    return state


class _Upload:
    name = "flow.json"

    async def read(self, size: int = -1) -> bytes:
        return RECORDER.encode()


def _importer(state: Any, ctx: MatrixContext) -> Any:
    _on_project(state, ctx)
    state._content, state.filename = RECORDER, "flow.json"
    return state


CATALOG_HANDLERS: dict[str, H] = {
    # --- traceiq_app.state.catalog.projects -------------------------------------------------------------
    "ProjectsState.load": H(SIGNED_IN, lambda s, c: s.load(), note="lists only the caller's projects"),
    "ProjectsState.create_project": H(ADMINS, lambda s, c: s.create_project({"name": "m", "org_id": str(c.acme_id)})),
    "ProjectsState.rename_project": H(ADMINS, lambda s, c: s.rename_project(str(c.project_id), "m")),
    "ProjectsState.delete_project": H(OWNERS, lambda s, c: s.delete_project(str(c.project_id))),
    # --- traceiq_app.state.catalog.suites -----------------------------------------------------------------
    "SuitesState.load": H(MEMBERS, lambda s, c: _on_project(s, c).load()),
    "SuitesState.rename_project": H(ADMINS, lambda s, c: _on_project(s, c).rename_project({"name": "m"})),
    "SuitesState.delete_project": H(OWNERS, lambda s, c: _on_project(s, c).delete_project()),
    "SuitesState.set_search": DRAFT,
    "SuitesState.toggle_checked": DRAFT,
    "SuitesState.toggle_all": DRAFT,
    # /projects/<id>/settings: execution settings of the project (project.update) or a folder (suite.write).
    "ExecutionSettingsState.load": H(MEMBERS, lambda s, c: _on_project(s, c).load()),
    "ExecutionSettingsState.choose_layer": H(MEMBERS, lambda s, c: _on_project(s, c).choose_layer("project")),
    "ExecutionSettingsState.save": H(ADMINS, lambda s, c: _on_project(s, c).save(
        {"base_url": "https://matrix.example.test", "viewport": "800x600"}),
        note="the project layer; a folder layer needs suite.write (editors)"),
    "SuitesState.select_suite": H(MEMBERS, lambda s, c: _on_project(s, c).select_suite(_suite(c))),
    "SuitesState.create_suite": H(EDITORS, lambda s, c: _on_project(s, c).create_suite({"name": "m"})),
    "SuitesState.rename_suite": H(EDITORS, lambda s, c: _on_project(s, c).rename_suite(_suite(c), "m")),
    "SuitesState.rename_selected": H(EDITORS, lambda s, c: (setattr(_on_project(s, c), "selected", _suite(c)),
                                                            s.rename_selected({"name": "m"}))),
    "SuitesState.move_suite": H(EDITORS, lambda s, c: _on_project(s, c).move_suite(_suite(c), _suite(c))),
    "SuitesState.move_selected": H(EDITORS, lambda s, c: (setattr(_on_project(s, c), "selected", _suite(c)),
                                                          s.move_selected(_suite(c)))),
    "SuitesState.delete_suite": H(EDITORS, lambda s, c: _on_project(s, c).delete_suite(_suite(c))),
    "SuitesState.restore_suite": H(EDITORS, lambda s, c: _on_project(s, c).restore_suite(_suite(c, deleted=True))),
    "SuitesState.delete_test": H(EDITORS, lambda s, c: _on_project(s, c).delete_test(_test(c))),
    "SuitesState.restore_test": H(EDITORS, lambda s, c: _on_project(s, c).restore_test(_test(c, deleted=True))),
    "SuitesState.duplicate_test": H(EDITORS, lambda s, c: _on_project(s, c).duplicate_test(_test(c))),
    "SuitesState.move_test": H(EDITORS, lambda s, c: _on_project(s, c).move_test(_test(c), _suite(c))),
    # --- traceiq_app.state.catalog.editor -------------------------------------------------------------------
    "EditorState.load": H(MEMBERS, lambda s, c: (setattr(s, "tid", _test(c)), s.load()),
                          note="the test id comes from the URL; the state for '/' loads the test set on it"),
    "EditorState.save": H(EDITORS, lambda s, c: _editor(s, c).save()),
    "EditorState.show_diff": H(MEMBERS, lambda s, c: _editor(s, c).show_diff("1", "2")),
    "EditorState.set_diff_from": H(MEMBERS, lambda s, c: (setattr(_editor(s, c), "diff_to", "2"),
                                                          s.set_diff_from("1"))),
    "EditorState.set_diff_to": H(MEMBERS, lambda s, c: (setattr(_editor(s, c), "diff_from", "1"), s.set_diff_to("2"))),
    "EditorState.restore_version": H(EDITORS, lambda s, c: _editor(s, c).restore_version("1")),
    "EditorState.set_env": H(MEMBERS, lambda s, c: _editor(s, c).set_env(_env(c))),
    "EditorState.duplicate_test": H(EDITORS, lambda s, c: _editor(s, c).duplicate_test()),
    "EditorState.delete_test": H(EDITORS, lambda s, c: _editor(s, c).delete_test()),
    **{f"EditorState.{name}": DRAFT for name in (
        "set_name", "set_description", "set_tags_text", "set_priority", "set_add_action", "add_step", "set_action",
        "set_field", "set_bool", "set_advanced", "set_option", "set_alt", "add_alt", "remove_alt", "move_alt", "move_step",
        "step_key", "duplicate_step", "delete_step")},
    # --- traceiq_app.state.catalog.locator_advice (inline advice in the editor; test.read) -------------
    "LocatorAdviceState.check": H(MEMBERS, lambda s, c: _advice(s, c).check(0, "target"),
                                  note="reads the editor's own draft; authorizes test.read on the test's project"),
    "LocatorAdviceState.check_all": H(MEMBERS, lambda s, c: _advice(s, c).check_all()),
    # --- traceiq_app.state.catalog.environments ---------------------------------------------------------------
    "EnvironmentsState.load": H(MEMBERS, lambda s, c: _on_project(s, c).load()),
    "EnvironmentsState.create_environment": H(ADMINS, lambda s, c: _on_project(s, c).create_environment(
        {"name": "m", "secrets": "A=b"})),
    "EnvironmentsState.update_environment": H(ADMINS, lambda s, c: _on_project(s, c).update_environment(
        {"env_id": _env(c), "base_url": "https://m.test"})),
    "EnvironmentsState.set_secret": H(ADMINS, lambda s, c: _on_project(s, c).set_secret(
        {"env_id": _env(c), "secret_name": "A", "secret_value": "b"})),
    "EnvironmentsState.remove_secret": H(ADMINS, lambda s, c: _on_project(s, c).remove_secret(_env(c), "A")),
    "EnvironmentsState.delete_environment": H(ADMINS, lambda s, c: _on_project(s, c).delete_environment(_env(c))),
    # --- traceiq_app.state.catalog.imports ----------------------------------------------------------------------
    "ImportState.load": H(EDITORS, lambda s, c: _on_project(s, c).load()),
    "ImportState.handle_upload": H(EDITORS, lambda s, c: asyncio.run(_on_project(s, c).handle_upload([_Upload()]))),
    "ImportState.reject_files": H(EDITORS, lambda s, c: _on_project(s, c).reject_files(["shot.png|10|file-invalid-type"])),
    "ImportState.save": H(EDITORS, lambda s, c: _importer(s, c).save()),
    "ImportState.set_test_name": DRAFT,
    "ImportState.set_target_suite": DRAFT,
    "ImportState.cancel": DRAFT,
    **{f"{cls}.setvar": _PUBLIC_SETVAR for cls in (
        "ProjectsState", "SuitesState", "EditorState", "EnvironmentsState", "ImportState", "LocatorAdviceState",
        "ExecutionSettingsState")},
}


# --- /api/v1 catalog routes (api/catalog/v1_*.py). `{project}` is Acme's project id (a slug works too);
# suites and tests are made in it just before the request.
PATH_VALUES["project"] = lambda c: c.project_id
PATH_VALUES["suite_id"] = _suite
NATIVE_TEST = {"definition": {"version": 1, "name": "m", "steps": [{"action": "goto", "url": "https://x.test/"}]}}

CATALOG_ROUTES: dict[tuple[str, str], R] = {
    ("GET", "/api/v1/projects"): R(SIGNED_IN, note="lists only the caller's projects"),
    ("POST", "/api/v1/projects"): R(ADMINS, json={"name": "m", "org_id": "{org_id}"}),
    ("GET", "/api/v1/projects/{project}"): R(MEMBERS),
    ("PATCH", "/api/v1/projects/{project}"): R(ADMINS, json={"name": "m"}),
    ("DELETE", "/api/v1/projects/{project}"): R(OWNERS),
    ("GET", "/api/v1/projects/{project}/suites"): R(MEMBERS),
    ("POST", "/api/v1/projects/{project}/suites"): R(EDITORS, json={"name": "m"}),
    ("GET", "/api/v1/suites/{suite_id}"): R(MEMBERS),
    ("PATCH", "/api/v1/suites/{suite_id}"): R(EDITORS, json={"name": "m"}),
    ("DELETE", "/api/v1/suites/{suite_id}"): R(EDITORS),
    ("GET", "/api/v1/projects/{project}/tests"): R(MEMBERS),
    ("GET", "/api/v1/projects/{project}/tests.csv"): R(MEMBERS),
    ("POST", "/api/v1/projects/{project}/tests"): R(EDITORS, json=NATIVE_TEST),
    ("GET", "/api/v1/tests/{test_id}"): R(MEMBERS),
    ("PUT", "/api/v1/tests/{test_id}"): R(EDITORS, json=NATIVE_TEST),
    ("DELETE", "/api/v1/tests/{test_id}"): R(EDITORS),
    ("GET", "/api/v1/tests/{test_id}/versions"): R(MEMBERS),
    ("GET", "/api/v1/projects/{project}/environments"): R(MEMBERS),
    ("POST", "/api/v1/projects/{project}/environments"): R(ADMINS, json={"name": "m-env", "secrets": {"A": "b"}}),
    ("POST", "/api/v1/projects/{project}/import"): R(
        EDITORS, files=[("files", ("flow.json", RECORDER.encode(), "application/json"))]),
}
