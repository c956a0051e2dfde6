"""Permission-matrix entries for manual testing (the manual run page, the manual runs page, the
manual test editor, the attachment routes), in the format of tests/accounts/permission_matrix.py,
which merges them. A manual run of Acme's project is made just before each call."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, select

from tests.accounts.permission_matrix import (
    _PUBLIC_SETVAR,
    EDITORS,
    EVERYONE,
    MEMBERS,
    PATH_VALUES,
    H,
    MatrixContext,
    R,
    _one_round,
)
from tests.manual.manual_support import PNG, seed_run
from traceiq_app.db import get_engine
from traceiq_app.models import ManualRun, ManualStepResult, User
from traceiq_app.services.platform.permissions import Principal


def _alice(ctx: MatrixContext) -> Principal:
    with Session(get_engine()) as s:
        user = s.get(User, ctx.user_ids["owner"])
        assert user is not None
        return Principal(user_id=user.id, email=user.email)


def _run(ctx: MatrixContext) -> str:
    return str(seed_run(ctx.project_id, _alice(ctx)).id)


def _step_result(ctx: MatrixContext) -> str:
    run_id = uuid.UUID(_run(ctx))
    with Session(get_engine()) as s:
        return str(s.exec(select(ManualStepResult.id).where(ManualStepResult.run_id == run_id)).first())


def _attachment(ctx: MatrixContext) -> str:
    from traceiq_app.services.manual import attachments

    return str(attachments.add_to_step(ctx.project_id, _step_result(ctx), "shot.png", PNG, _alice(ctx)).id)


def _manual_test(ctx: MatrixContext) -> str:
    from traceiq_app.services.catalog import manual_cases

    return str(manual_cases.create_manual_case(ctx.project_id, f"Matrix manual {uuid.uuid4().hex[:6]}", [
        {"action": "Open", "data": "", "expected": "It opens"}]).id)


PATH_VALUES["step_result_id"] = _step_result
PATH_VALUES["manual_attachment_id"] = _attachment  # the defects matrix has its own "attachment_id"
PATH_VALUES["manual_test_id"] = _manual_test
PATH_VALUES["manual_run_id"] = _run


def _on_run(state: Any, ctx: MatrixContext) -> Any:
    run_id = _run(ctx)
    root = state._get_root_state()
    root.router_data["pathname"] = root.router_data["asPath"] = f"/manual-runs/{run_id}"
    from reflex.istate.data import RouterData

    root.router = RouterData.from_router_data(root.router_data)
    state.mrun_id, state.pid = run_id, str(ctx.project_id)
    from traceiq_app.services.manual import runs

    view = runs.run_view(ctx.project_id, run_id)
    state.current_test = view.tests[0].id
    steps = runs.test_steps(ctx.project_id, run_id, view.tests[0].id)
    from traceiq_app.state.manual.run import StepItem

    state.steps = [StepItem(id=s.id, version=s.version) for s in steps]
    state.current_step = 0
    return state


def _closed(state: Any) -> Any:
    """The run of `state`, closed behind the app's back (no activity row: the fingerprint counts those)."""
    with Session(get_engine()) as s:
        run = s.get(ManualRun, uuid.UUID(state.mrun_id))
        assert run is not None
        run.status = "closed"
        s.add(run)
        s.commit()
    return state


MANUAL_HANDLERS: dict[str, H] = {
    "ManualRunState.load": H(MEMBERS, lambda s, c: _on_run(s, c).load()),
    "ManualRunState.follow": H(MEMBERS, lambda s, c: _one_round(_on_run(s, c), "follow"),
                               note="background task: authorizes before reading the stream and on every batch"),
    "ManualRunState.select_test": H(MEMBERS, lambda s, c: (lambda st: st.select_test(st.current_test))(_on_run(s, c))),
    "ManualRunState.move_test": H(MEMBERS, lambda s, c: _on_run(s, c).move_test(1)),
    "ManualRunState.select_step": H(EVERYONE, None, note="moves this tab's cursor among the steps it holds"),
    "ManualRunState.keep_note": H(EVERYONE, None, note="keeps this tab's unsaved note; saved by `mark`"),
    "ManualRunState.mark": H(EDITORS, lambda s, c: _on_run(s, c).mark("failed")),
    "ManualRunState.mark_key": H(EDITORS, lambda s, c: _on_run(s, c).mark_key("f")),
    "ManualRunState.override": H(EDITORS, lambda s, c: _on_run(s, c).override(
        {"outcome": "blocked", "reason": "matrix"})),
    "ManualRunState.after_upload": H(MEMBERS, lambda s, c: _on_run(s, c).after_upload("shot.png")),
    "ManualRunState.close_run": H(EDITORS, lambda s, c: _on_run(s, c).close_run()),
    "ManualRunState.reopen_run": H(EDITORS, lambda s, c: _closed(_on_run(s, c)).reopen_run()),
    "ManualRunState.setvar": _PUBLIC_SETVAR,
}

MANUAL_ROUTES: dict[tuple[str, str], R] = {
    # The body is the file itself; a JSON string is UTF-8 text, an accepted type.
    ("POST", "/api/manual/step-results/{step_result_id}/attachments"): R(EDITORS, json="matrix note",
                                                                          query={"filename": "note.txt"}),
    ("POST", "/api/manual/tests/{manual_test_id}/attachments"): R(EDITORS, json="matrix note",
                                                                   query={"filename": "note.txt"}),
    ("GET", "/api/manual/attachments/{manual_attachment_id}"): R(MEMBERS),
    ("GET", "/api/v1/projects/{project}/manual-runs"): R(MEMBERS, query={"status": "open"}),
    ("GET", "/api/v1/manual-runs/{manual_run_id}"): R(MEMBERS),
}


def _on_project(state: Any, ctx: MatrixContext) -> Any:
    state.pid = str(ctx.project_id)
    return state


def _on_manual_test(state: Any, ctx: MatrixContext) -> Any:
    test_id = _manual_test(ctx)
    root = state._get_root_state()
    root.router_data["pathname"] = root.router_data["asPath"] = f"/projects/{ctx.project_id}/manual-tests/{test_id}"
    from reflex.istate.data import RouterData

    root.router = RouterData.from_router_data(root.router_data)
    from traceiq_app.state.manual.editor import ManualStepRow

    state.pid, state.mtid, state.version = str(ctx.project_id), test_id, 1
    state.steps = [ManualStepRow(number=1)]
    return state


def _with_v2(state: Any) -> Any:
    """The manual test of `state` saved once more (version 2), so version 1 can be restored."""
    from traceiq_app.services.catalog import manual_cases

    manual_cases.update_manual_case(uuid.UUID(state.pid), state.mtid, name="Matrix manual v2", steps=[
        {"action": "Open again", "data": "", "expected": "It opens"}])
    state.version = 2
    return state


def _start(state: Any, ctx: MatrixContext) -> Any:
    from traceiq_app.state.manual.runs_list import CandidateItem

    _on_project(state, ctx)
    state.candidates = [CandidateItem(id=_manual_test(ctx), name="m")]
    return state.start({"name": "Matrix manual run"})


MANUAL_HANDLERS.update({
    "ManualRunsState.load": H(MEMBERS, lambda s, c: _on_project(s, c).load()),
    "ManualRunsState.preview": H(MEMBERS, lambda s, c: _on_project(s, c).preview({"suite_id": "", "tags": ""})),
    "ManualRunsState.assign": H(EVERYONE, None, note="sets an assignee in this tab's unsent form; `start` checks"),
    "ManualRunsState.start": H(EDITORS, _start),
    "ManualRunsState.setvar": _PUBLIC_SETVAR,
    "ManualEditorState.load": H(MEMBERS, lambda s, c: _on_manual_test(s, c).load()),
    "ManualEditorState.add_step": H(EVERYONE, None, note="adds an empty row to this tab's unsaved form"),
    "ManualEditorState.save": H(EDITORS, lambda s, c: _on_manual_test(s, c).save(
        {"name": "Changed", "action-0": "Do it", "data-0": "", "expected-0": "Done"})),
    "ManualEditorState.show_diff": H(MEMBERS, lambda s, c: _on_manual_test(s, c).show_diff(1)),
    "ManualEditorState.restore_version": H(EDITORS, lambda s, c: _with_v2(_on_manual_test(s, c)).restore_version(1)),
    "ManualEditorState.after_upload": H(MEMBERS, lambda s, c: _on_manual_test(s, c).after_upload("a.png")),
    "ManualEditorState.setvar": _PUBLIC_SETVAR,
})
