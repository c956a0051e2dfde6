"""RunLiveState._apply without a browser: a step's console/network errors from its
`step.finished`, pending rows for a started test, copy-on-write rows (untouched rows keep their
identity, so the page's memoized rows do not re-render), and replays that change nothing."""

from __future__ import annotations

import uuid
from typing import Any

from traceiq_app.services.runs.live_events import LiveEvent


def _state() -> Any:
    from tests.accounts import matrix_support as ms
    from traceiq_app.state.runs.run_live import RunLiveState

    return ms.state_for(RunLiveState, None)


def _events(tr: str, other: str) -> list[LiveEvent]:
    return [
        LiveEvent("1-0", "run.queued", {"total": 2, "tests": [{"test_result_id": tr, "name": "t", "browser": "chromium"},
                                                             {"test_result_id": other, "name": "u",
                                                              "browser": "chromium"}]}),
        LiveEvent("2-0", "test.started", {"test_result_id": tr, "name": "t", "browser": "chromium", "attempt": 1,
                                          "total_steps": 3}),
        LiveEvent("3-0", "step.started", {"test_result_id": tr, "index": 0, "action": "goto"}),
        LiveEvent("4-0", "step.finished", {"test_result_id": tr, "index": 0, "action": "goto", "status": "passed",
                                           "duration_ms": 12, "console_errors": ["boom"],
                                           "network_errors": ["404 GET http://site/missing.js"],
                                           "finished_at": 4.0}),
        LiveEvent("5-0", "step.started", {"test_result_id": tr, "index": 1, "action": "click"}),
    ]


def test_step_errors_arrive_with_the_step_and_pending_rows_fill_the_card() -> None:
    tr, other = str(uuid.uuid4()), str(uuid.uuid4())
    state = _state()
    state._apply(_events(tr, other))
    t = next(x for x in state.tests if x.id == tr)
    assert [(s.index, s.status, s.glyph) for s in t.steps] == [(0, "passed", "✓"), (1, "running", "…"),
                                                               (2, "pending", "○")]
    assert t.steps[0].console == ["boom"] and t.steps[0].network == ["404 GET http://site/missing.js"]
    assert t.steps[1].console == [] and t.done_steps == 1 and t.total_steps == 3

    # Replays (a reload reads the stream from "0") change nothing and double nothing.
    before = [(s.index, s.status, s.console, s.network) for s in t.steps]
    state._apply(_events(tr, other))
    t = next(x for x in state.tests if x.id == tr)
    assert [(s.index, s.status, s.console, s.network) for s in t.steps] == before


def test_a_batch_replaces_only_the_rows_it_touches() -> None:
    tr, other = str(uuid.uuid4()), str(uuid.uuid4())
    state = _state()
    state._apply(_events(tr, other))
    raw = {t.id: t.__wrapped__ if hasattr(t, "__wrapped__") else t for t in state.tests}
    steps_before = list(raw[tr].steps)
    state._apply([LiveEvent("6-0", "step.finished", {"test_result_id": tr, "index": 1, "action": "click",
                                                     "status": "failed", "duration_ms": 30, "error": "no element",
                                                     "console_errors": [], "network_errors": []})])
    after = {t.id: t.__wrapped__ if hasattr(t, "__wrapped__") else t for t in state.tests}
    assert after[other] is raw[other]  # the other test: the same object
    assert after[tr] is not raw[tr]
    assert after[tr].steps[0] is steps_before[0] and after[tr].steps[2] is steps_before[2]
    assert after[tr].steps[1].status == "failed" and after[tr].steps[1].error == "no element"
    assert steps_before[1].status == "running"  # the row the last delta sent is left alone


def test_steps_that_never_ran_lose_their_pending_row_when_the_attempt_ends() -> None:
    tr, other = str(uuid.uuid4()), str(uuid.uuid4())
    state = _state()
    state._apply(_events(tr, other))
    db_step = {"index": 0, "action": "goto", "name": None, "status": "passed", "duration_ms": 12, "error": "",
               "console_errors": ["boom"], "network_errors": ["404 GET http://site/missing.js"],
               "screenshot_artifact_id": None}
    state._merge_steps(tr, [db_step, {**db_step, "index": 1, "action": "click", "status": "failed",
                                      "console_errors": [], "network_errors": []}])
    t = next(x for x in state.tests if x.id == tr)
    assert [(s.index, s.status) for s in t.steps] == [(0, "passed"), (1, "failed")]
    assert t.steps[0].console == ["boom"]
