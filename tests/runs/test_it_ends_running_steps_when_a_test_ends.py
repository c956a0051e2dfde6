"""When a test ends, every step the live page shows ends with it: the step a lost worker died in
(no step.finished, no database row) turns failed with the reason, steps that never ran are
skipped; a cancelled test's running step is skipped. Also after a reload (replay from "0")."""

from __future__ import annotations

import uuid

from tests.runs.test_live_state_steps import _events, _state
from traceiq_app.services.runs.live_events import LiveEvent


def test_it_ends_the_running_step_of_a_lost_attempt() -> None:
    tr, other = str(uuid.uuid4()), str(uuid.uuid4())
    finished = LiveEvent("6-0", "test.finished", {"test_result_id": tr, "name": "t", "browser": "chromium",
                                                  "attempt": 1, "status": "error", "error": "worker lost",
                                                  "duration_ms": 900})
    for replay in (False, True):
        state = _state()
        state._apply(_events(tr, other) + [finished])
        if replay:
            state._apply(_events(tr, other) + [finished])
        t = next(x for x in state.tests if x.id == tr)
        assert [(s.index, s.status) for s in t.steps] == [(0, "passed"), (1, "failed"), (2, "skipped")]
        assert "worker lost" in t.steps[1].error
        assert t.done_steps == 3
        # The database merge after test.finished (the lost step has no row) keeps it ended.
        state._merge_steps(tr, [])
        t = next(x for x in state.tests if x.id == tr)
        assert all(s.status not in ("running", "pending") for s in t.steps)


def test_it_skips_the_running_step_of_a_cancelled_test() -> None:
    tr, other = str(uuid.uuid4()), str(uuid.uuid4())
    state = _state()
    state._apply(_events(tr, other) + [LiveEvent("6-0", "test.finished", {
        "test_result_id": tr, "status": "cancelled", "error": None, "duration_ms": 10})])
    t = next(x for x in state.tests if x.id == tr)
    assert [(s.index, s.status) for s in t.steps] == [(0, "passed"), (1, "skipped"), (2, "skipped")]
    assert "cancelled" in t.steps[1].error
