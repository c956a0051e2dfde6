"""Permission-matrix entries of the ai domain, in the format of tests/accounts/permission_matrix.py
(which merges them): the editor's AI-draft dry-run panel, the run page's "Explain this failure",
and the dry-run screenshot route."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tests.accounts.permission_matrix import _PUBLIC_SETVAR, MEMBERS, PATH_VALUES, H, MatrixContext, R

# A 1x1 PNG.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e2d2b3c50000000049454e44ae426082")


def _editor_with_draft(state: Any, ctx: MatrixContext) -> Any:
    """The dry-run state with the editor (its sibling) on a test of Acme's that has a kept dry run."""
    from tests.runs.runs_matrix import _test_case
    from traceiq_app.state.catalog.editor import EditorState

    editor = state._get_root_state().get_substate(EditorState.get_full_name().split("."))
    editor.tid, editor.pid = _test_case(ctx), str(ctx.project_id)
    _keep(editor.tid)
    return state


def _keep(test_id: str) -> None:
    from traceiq_app.services.ai import draft_screens
    from traceiq_app.services.platform.storage import get_storage

    get_storage.cache_clear()
    with tempfile.TemporaryDirectory() as folder:
        image = Path(folder) / "step-01.png"
        image.write_bytes(PNG)
        draft_screens.keep(test_id, "passed", [{"step": 0, "action": "goto", "status": "passed",
                                                "screenshot": str(image)}])


@contextlib.contextmanager
def _with_dry_run(ctx: MatrixContext, values: dict[str, str]) -> Iterator[Callable[[Any], None]]:
    _keep(values["test_id"])
    yield lambda response: None


AI_HANDLERS: dict[str, H] = {
    "DraftReviewState.load": H(MEMBERS, lambda s, c: _editor_with_draft(s, c).load(),
                               note="reads the dry run of the editor's own test; authorizes test.read"),
    "DraftReviewState.setvar": _PUBLIC_SETVAR,
}

PATH_VALUES.setdefault("step", lambda c: 1)
AI_ROUTES: dict[tuple[str, str], R] = {
    ("GET", "/api/v1/tests/{test_id}/dry-run/{step}.png"): R(MEMBERS, around=_with_dry_run),
}


def _failed_result(ctx: MatrixContext) -> str:
    """A failed test result in an Acme run."""
    import uuid

    from sqlmodel import Session

    from traceiq_app.db import get_engine
    from traceiq_app.models import Run, RunStatus, RunTrigger, TestResult, TestResultStatus, utcnow

    with Session(get_engine(), expire_on_commit=False) as s:
        now = utcnow()
        run = Run(project_id=ctx.project_id, trigger=RunTrigger.ui, status=RunStatus.failed, total=1, failed=1,
                  started_at=now, finished_at=now)
        s.add(run)
        s.flush()
        result = TestResult(run_id=run.id, test_name=f"Matrix explain {uuid.uuid4().hex[:6]}",
                            status=TestResultStatus.failed, failed_step=0, error="no element matches css=\"#x\"",
                            definition={"version": 1, "name": "m", "steps": [{"action": "click",
                                                                               "target": [{"css": "#x"}]}]},
                            started_at=now, finished_at=now, duration_ms=10)
        s.add(result)
        s.commit()
        return str(result.id)


def _explain(state: Any, ctx: MatrixContext) -> Any:
    """The background handler, awaited to its end (no model configured: the offline explanation)."""
    import asyncio

    return asyncio.run(type(state).event_handlers["explain"].fn(state, _failed_result(ctx)))


AI_HANDLERS.update({
    "ExplainState.explain": H(MEMBERS, _explain, note="run.read on the result's own project; the model only when "
                                                      "the project opted in, under its AI rate limit"),
    "ExplainState.setvar": _PUBLIC_SETVAR,
})
