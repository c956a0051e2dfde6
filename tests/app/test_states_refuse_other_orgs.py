"""Every catalog State event handler, called directly the way a raw websocket frame could call
it, by charlie (another org) with alice's ids: each one refuses, reads nothing of alice's and
changes nothing. alice, with the same calls, succeeds (so the refusals are not an accident of
the setup)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from reflex.istate.data import RouterData
from reflex.state import State
from sqlmodel import Session, select

import traceiq_app.traceiq_app  # noqa: F401 - registers every page and state
from tests.factories import make_suite, make_test_case
from traceiq_app.db import get_engine
from traceiq_app.models import AuditLog, Environment, Project, Suite, TestCase, TestCaseVersion, User
from traceiq_app.services.accounts import web_sessions
from traceiq_app.services.catalog import environments
from traceiq_app.state.catalog.editor import EditorState
from traceiq_app.state.catalog.environments import EnvironmentsState
from traceiq_app.state.catalog.imports import ImportState
from traceiq_app.state.catalog.projects import ProjectsState
from traceiq_app.state.catalog.suites import SuitesState

RECORDER = json.dumps({"title": "Flow", "steps": [{"type": "navigate", "url": "https://x.test/"}]})


@pytest.fixture(autouse=True)
def _testing_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "states")


def _cookie(user_id: Any) -> str:
    with Session(get_engine(), expire_on_commit=False) as s:
        user = s.get(User, user_id)
        assert user is not None
        raw = web_sessions.create_session(s, user)
        s.commit()
    return raw


def _state(cls: type, cookie: str | None, path: str) -> Any:
    root = State(_reflex_internal_init=True)
    headers = {"origin": "http://localhost:3000"}
    if cookie:
        headers["cookie"] = f"{web_sessions.COOKIE_NAME}={cookie}"
    root.router = RouterData.from_router_data({"headers": headers, "pathname": path, "asPath": path})
    return root.get_substate(cls.get_full_name().split(".")[1:])


class _Upload:
    name = "flow.json"

    async def read(self, size: int = -1) -> bytes:
        return RECORDER.encode()


@pytest.fixture
def world(personas):  # type: ignore[no-untyped-def]
    with Session(get_engine(), expire_on_commit=False) as s:
        project = s.get(Project, personas.project.id)
        assert project is not None
        suite = make_suite(s, project, "Checkout")
        case = make_test_case(s, project, "Pay", suite=suite)
        case.steps = [{"action": "goto", "url": "/pay"}]
        case.version = 2
        s.add(case)
        s.add(case.version_row(None))
        s.commit()
    env = environments.create_environment(None, personas.project.id, "staging", secrets={"PASSWORD": "s3cr3t-pw"})
    return {"pid": str(personas.project.id), "suite": str(suite.id), "test": str(case.id), "env": str(env.id),
            "charlie": _cookie(personas.charlie.id), "alice": _cookie(personas.alice.id),
            "bob": _cookie(personas.bob.id), "cast": personas}


def _snapshot() -> str:
    with Session(get_engine()) as s:
        rows: list[Any] = []
        for model in (Project, Suite, TestCase, TestCaseVersion, Environment):
            for row in s.exec(select(model)).all():
                data = row.model_dump(mode="json")
                data.pop("updated_at", None)
                rows.append((model.__name__, data))
        rows.append(("audit", len(s.exec(select(AuditLog)).all())))
    return json.dumps(sorted(rows, key=lambda r: json.dumps(r)), sort_keys=True)


def _every_call(w: dict[str, Any], cookie: str | None) -> list[tuple[str, Any]]:
    """Every state/handler pair with alice's ids, as `cookie`'s user."""
    pid, sid, tid, eid = w["pid"], w["suite"], w["test"], w["env"]
    proj = _state(ProjectsState, cookie, "/projects")
    suites_ = _state(SuitesState, cookie, f"/projects/{pid}")
    suites_.pid = pid  # what a tampered client could make the tab believe
    editor = _state(EditorState, cookie, f"/tests/{tid}")
    editor.tid, editor.pid, editor.name = tid, pid, "pwned"
    new_editor = _state(EditorState, cookie, f"/projects/{pid}/tests/new")
    new_editor.pid, new_editor.name = pid, "pwned"
    envs = _state(EnvironmentsState, cookie, f"/projects/{pid}/environments")
    envs.pid = pid
    imp = _state(ImportState, cookie, f"/projects/{pid}/import")
    imp.pid = pid
    imp._content, imp.filename = RECORDER, "flow.json"
    return [
        ("projects.rename", lambda: proj.rename_project(pid, "pwned")),
        ("projects.delete", lambda: proj.delete_project(pid)),
        ("projects.create", lambda: proj.create_project({"name": "pwned", "org_id": str(w["cast"].acme.id)})),
        ("suites.rename_project", lambda: suites_.rename_project({"name": "pwned"})),
        ("suites.delete_project", lambda: suites_.delete_project()),
        ("suites.create", lambda: suites_.create_suite({"name": "pwned", "parent": sid})),
        ("suites.rename", lambda: suites_.rename_suite(sid, "pwned")),
        ("suites.move", lambda: suites_.move_suite(sid, "__root__")),
        ("suites.delete", lambda: suites_.delete_suite(sid)),
        ("suites.restore", lambda: suites_.restore_suite(sid)),
        ("tests.delete", lambda: suites_.delete_test(tid)),
        ("tests.duplicate", lambda: suites_.duplicate_test(tid)),
        ("tests.move", lambda: suites_.move_test(tid, "__root__")),
        ("tests.restore", lambda: suites_.restore_test(tid)),
        ("editor.save", lambda: editor.save()),
        ("editor.new.save", lambda: new_editor.save()),
        ("editor.restore", lambda: editor.restore_version("1")),
        ("editor.diff", lambda: editor.show_diff("1", "2")),
        ("editor.env", lambda: editor.set_env(eid)),
        ("editor.duplicate", lambda: editor.duplicate_test()),
        ("editor.delete", lambda: editor.delete_test()),
        ("envs.create", lambda: envs.create_environment({"name": "pwned", "secrets": "A=b"})),
        ("envs.update", lambda: envs.update_environment({"env_id": eid, "base_url": "https://evil.test"})),
        ("envs.secret", lambda: envs.set_secret({"env_id": eid, "secret_name": "PASSWORD", "secret_value": "x"})),
        ("envs.remove_secret", lambda: envs.remove_secret(eid, "PASSWORD")),
        ("envs.delete", lambda: envs.delete_environment(eid)),
        ("import.upload", lambda: _run_outside_event_loop(imp.handle_upload([_Upload()]))),
        ("import.save", lambda: imp.save()),
    ]


def _run_outside_event_loop(coro: Any) -> Any:
    """asyncio.run() in a thread of its own: a session-wide Playwright driver of an earlier test
    in this xdist worker may keep an event loop running in the main thread."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _leaks(state: Any, *secrets: str) -> bool:
    dumped = json.dumps(state.dict(), default=str)
    return any(s in dumped for s in secrets)


@pytest.mark.parametrize("who", ["charlie", "anonymous"])
def test_handlers_refuse_another_orgs_ids_and_change_nothing(world, who) -> None:  # type: ignore[no-untyped-def]
    cookie = world["charlie"] if who == "charlie" else None
    before = _snapshot()
    for label, call in _every_call(world, cookie):
        call()
        assert _snapshot() == before, f"{label} changed alice's data"

    # loading pages with alice's ids shows an error and none of her data
    suites_ = _state(SuitesState, cookie, f"/projects/{world['pid']}")
    suites_.load()
    assert suites_.error and suites_.tree == [] and suites_.tests == [] and suites_.project_name == ""
    editor = _state(EditorState, cookie, f"/tests/{world['test']}")
    editor.load()
    assert editor.error and editor.steps == [] and editor.history == [] and editor.name == ""
    envs = _state(EnvironmentsState, cookie, f"/projects/{world['pid']}/environments")
    envs.load()
    assert envs.error and envs.envs == []
    imp = _state(ImportState, cookie, f"/projects/{world['pid']}/import")
    imp.load()
    assert imp.error and imp.suite_choices == []
    projects = _state(ProjectsState, cookie, "/projects")
    projects.load()
    assert all(p["id"] != world["pid"] for p in projects.projects)
    for state in (suites_, editor, envs, imp, projects):
        assert not _leaks(state, "Checkout", "/pay", "s3cr3t")


def test_editor_role_cannot_touch_environments_but_owner_can(world) -> None:  # type: ignore[no-untyped-def]
    before = _snapshot()
    bob = _state(EnvironmentsState, world["bob"], f"/projects/{world['pid']}/environments")
    bob.load()
    assert bob.envs and not bob.can_write  # bob (editor) may read environments...
    bob.set_secret({"env_id": world["env"], "secret_name": "PASSWORD", "secret_value": "x"})
    bob.delete_environment(world["env"])
    assert _snapshot() == before  # ...but not change them
    assert not _leaks(bob, "s3cr3t")


def test_the_same_calls_work_for_the_owner(world) -> None:  # type: ignore[no-untyped-def]
    before = _snapshot()
    suites_ = _state(SuitesState, world["alice"], f"/projects/{world['pid']}")
    suites_.load()
    assert [n["name"] for n in suites_.tree] == ["Checkout"] and suites_.can_write
    editor = _state(EditorState, world["alice"], f"/tests/{world['test']}")
    editor.load()
    assert editor.name == "Pay" and editor.version == 2 and len(editor.history) == 2
    assert editor.diff_summary.startswith("v1 → v2")
    for _label, call in _every_call(world, world["alice"]):
        call()
    assert _snapshot() != before
    envs = _state(EnvironmentsState, world["alice"], f"/projects/{world['pid']}/environments")
    envs.load()
    assert not _leaks(envs, "s3cr3t")
