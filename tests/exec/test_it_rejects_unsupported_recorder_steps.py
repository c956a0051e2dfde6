"""Recorder steps TraceIQ cannot replay are rejected up front, all at once, with their index."""

from __future__ import annotations

import pytest

from tests.exec.conftest import RECORDER_FLOWS
from traceiq_app.engine.errors import DefinitionError
from traceiq_app.engine.importers import FormatError, load_any
from traceiq_app.engine.importers.recorder import from_recorder


def test_it_lists_every_unsupported_step_with_its_index() -> None:
    with pytest.raises(FormatError) as info:
        load_any(RECORDER_FLOWS / "unsupported_custom_step.json")
    problems = info.value.problems
    assert problems == [
        "unsupported_custom_step.json: steps[2] (customStep): customStep 'lighthouse' is not supported "
        "(it needs a replay extension)",
    ]  # steps[3], a click with the "back" mouse button, is replayed (Chromium) like the reference
    assert isinstance(info.value, DefinitionError)  # callers catch one exception type


def test_it_reports_malformed_steps() -> None:
    flow = {"title": "Bad", "steps": [
        {"type": "navigate"},
        {"type": "click", "selectors": []},
        {"type": "teleport"},
        {"type": "waitForElement", "selectors": ["a"], "operator": ">"},
        {"type": "click", "selectors": ["a"], "button": "sideways"},
        {"type": "click", "selectors": [["aria/Go[state=\"on\"]"]]},
    ]}
    with pytest.raises(FormatError) as info:
        from_recorder(flow, source="bad.json")
    assert [p.split(":")[1].strip() for p in info.value.problems] == [
        "steps[0] (navigate)", "steps[1] (click)", "steps[2] (teleport)", "steps[3] (waitForElement)",
        "steps[4] (click)", "steps[5] (click)",
    ]
    assert "'url' must be a string" in info.value.problems[0]
    assert "unknown step type 'teleport'" in info.value.problems[2]
    assert "unknown mouse button 'sideways' (primary, auxiliary, secondary, back, forward)" in info.value.problems[4]
    assert 'unknown aria attribute "state"' in info.value.problems[5]


def test_it_rejects_an_empty_flow() -> None:
    with pytest.raises(FormatError, match="'steps' must be a non-empty list"):
        from_recorder({"title": "Empty", "steps": []})
