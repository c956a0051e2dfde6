"""Permission-matrix entries for the healing review page (/projects/<id>/healing), in the format
of tests/accounts/permission_matrix.py, which merges them. Accept/reject act on a proposal made in
Acme's project just before the call."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from tests.accounts.permission_matrix import _PUBLIC_SETVAR, ADMINS, EDITORS, MEMBERS, H, MatrixContext
from traceiq_app.db import get_engine
from traceiq_app.models import HealingProposal, TestCase


def _proposal(ctx: MatrixContext) -> str:
    with Session(get_engine(), expire_on_commit=False) as s:
        case = TestCase(project_id=ctx.project_id, name="Matrix heal",
                        steps=[{"action": "goto", "url": "/a"}, {"action": "click", "target": [{"css": "#old"}]}])
        s.add(case)
        s.flush()
        s.add(case.version_row(None))
        proposal = HealingProposal(project_id=ctx.project_id, test_case_id=case.id, base_version=1, key=str(case.id),
                                   changes=[{"step": 1, "field": "target", "from": [{"css": "#old"}],
                                             "to": {"css": "#new"}, "from_text": 'css="#old"',
                                             "to_text": 'css="#new"', "score": 0.9}])
        s.add(proposal)
        s.commit()
        return str(proposal.id)


def _brittle(ctx: MatrixContext) -> str:
    from traceiq_app.models import HealingFingerprint

    with Session(get_engine(), expire_on_commit=False) as s:
        case = TestCase(project_id=ctx.project_id, name="Matrix brittle",
                        steps=[{"action": "goto", "url": "/a"}, {"action": "click", "target": [{"xpath": "/html/body/a"}]}])
        s.add(case)
        s.flush()
        s.add(case.version_row(None))
        s.add(HealingFingerprint(test_case_id=case.id, slot="1",
                                 fingerprint={"tag": "a", "role": "link", "name": "Home", "kind": "clickable"}))
        s.commit()
        return str(case.id)


def _on(state: Any, ctx: MatrixContext) -> Any:
    state.pid = str(ctx.project_id)
    return state


HEALING_HANDLERS: dict[str, H] = {
    "HealingState.load": H(MEMBERS, lambda s, c: _on(s, c).load()),
    "HealingState.set_filter": H(MEMBERS, lambda s, c: _on(s, c).set_filter("all")),
    "HealingState.set_mode": H(ADMINS, lambda s, c: _on(s, c).set_mode("heal")),
    "HealingState.accept": H(EDITORS, lambda s, c: _on(s, c).accept(_proposal(c))),
    "HealingState.reject": H(EDITORS, lambda s, c: _on(s, c).reject(_proposal(c))),
    "HealingState.apply_advice": H(EDITORS, lambda s, c: _on(s, c).apply_advice(_brittle(c), "1", "target")),
    "HealingState.set_ai_enabled": H(ADMINS, lambda s, c: _on(s, c).set_ai_enabled(True)),
    # No model configured in the matrix: an allowed call stops at "AI assistance is off" (no job).
    "HealingState.generate": H(EDITORS, lambda s, c: _on(s, c).generate({"description": "click Save",
                                                                          "start_url": "https://x.test/"})),
    "HealingState.setvar": _PUBLIC_SETVAR,
}
