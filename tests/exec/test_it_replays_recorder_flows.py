"""Recorder flows replay in a real Chromium: passing flows pass, failing ones fail at the
Recorder step index (the index in the user's own file) with a readable message."""

from __future__ import annotations

import pytest

from tests.exec.conftest import RECORDER_FLOWS
from traceiq_app.engine.importers import load_any
from traceiq_app.engine.results import RunOptions
from traceiq_app.engine.runner import Engine

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("flow", [
    "forms_and_navigation", "shadow_frames_popup", "scroll_hover_mouse",
])
def test_it_passes_a_recorded_flow(flow: str, engine: Engine, site_url: str) -> None:
    test = load_any(RECORDER_FLOWS / f"{flow}.json")
    result = engine.run(test, RunOptions(base_url=site_url))
    assert result.status == "passed", result.error
    assert [s.index for s in result.steps] == list(range(len(test.steps)))
    assert all(s.status == "passed" for s in result.steps)


def test_it_fails_at_the_recorder_index_of_a_missing_element(engine: Engine, site_url: str) -> None:
    test = load_any(RECORDER_FLOWS / "fails_missing_element.json")
    result = engine.run(test, RunOptions(base_url=site_url))
    assert result.status == "failed"
    assert result.failed_step == 3
    assert result.error is not None
    assert "#delete-account" in result.error and "no element matches" in result.error
    assert [s.status for s in result.steps] == ["passed", "passed", "passed", "failed", "skipped"]


def test_it_fails_at_the_recorder_index_of_a_wait_for_element(engine: Engine, site_url: str) -> None:
    test = load_any(RECORDER_FLOWS / "fails_wait_for_element.json")
    result = engine.run(test, RunOptions(base_url=site_url))
    assert result.status == "failed"
    assert result.failed_step == 3
    assert result.error is not None
    assert "data-last" in result.error and "something that never happens" in result.error


def test_it_fails_when_an_asserted_navigation_does_not_happen(engine: Engine, site_url: str) -> None:
    flow = {
        "title": "No navigation",
        "timeout": 1500,
        "steps": [
            {"type": "navigate", "url": f"{site_url}/index.html"},
            {"type": "click", "selectors": [["#test"]], "offsetX": 2, "offsetY": 2,
             "assertedEvents": [{"type": "navigation", "url": f"{site_url}/page2.html", "title": ""}]},
        ],
    }
    from traceiq_app.engine.importers import from_recorder

    result = engine.run(from_recorder(flow), RunOptions())
    assert result.status == "failed"
    assert result.failed_step == 1
    assert result.error is not None and "navigat" in result.error


def test_it_resolves_each_selector_kind_on_its_own(engine: Engine, site_url: str) -> None:
    """Every alternative alone (no fallback to hide a broken kind) still finds its element."""
    from traceiq_app.engine.importers import from_recorder

    def click(selector: list[str], expect: str) -> list[dict[str, object]]:
        return [
            {"type": "click", "selectors": [selector], "offsetX": 3, "offsetY": 3},
            {"type": "waitForElement", "selectors": [["#out"]], "attributes": {"data-last": expect}},
        ]

    steps: list[dict[str, object]] = [{"type": "navigate", "url": f"{site_url}/index.html"}]
    steps += click(["aria/Test Button"], "clicked test")  # accessible name from the text
    steps += click(["aria/Double me[role=\"button\"]"], "clicked test")  # role + name (single click: no change)
    steps += click(["aria/Right me[role=\"button\"]"], "clicked test")
    steps += click(["text/Shadow Butt"], "shadow clicked")  # text inside an open shadow root
    steps += click(["xpath///*[@id=\"test\"]"], "clicked test")
    steps += click(["pierce/#inner"], "shadow clicked")
    steps += click(["#shadow-host", "span > #inner"], "shadow clicked")
    steps += click(["::-p-text(Test Button)"], "clicked test")
    steps += [
        {"type": "change", "selectors": [["aria/Name:"]], "value": "Lin"},  # accessible name from <label>
        {"type": "waitForElement", "selectors": [["#name"]], "properties": {"value": "Lin"}},
        {"type": "click", "selectors": [["aria/iframe button"]], "frame": [0], "offsetX": 2, "offsetY": 2},
        {"type": "waitForElement", "selectors": [["#r"]], "frame": [0], "properties": {"textContent": "iframe clicked"}},
    ]
    test = from_recorder({"title": "Selector kinds", "timeout": 3000, "steps": steps})
    result = engine.run(test, RunOptions())
    assert result.status == "passed", result.error
