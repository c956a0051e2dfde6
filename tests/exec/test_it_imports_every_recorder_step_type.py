"""Chrome Recorder flows map to native steps one to one, for every step type."""

from __future__ import annotations

from typing import Any

from traceiq_app.engine.importers import is_recorder_flow
from traceiq_app.engine.importers.recorder import from_recorder


def _flow(*steps: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"title": "Flow", "steps": list(steps), **top}


def _one(step: dict[str, Any]) -> dict[str, Any]:
    test = from_recorder(_flow(step))
    assert len(test.steps) == 1
    return test.steps[0].model_dump(exclude_defaults=True, exclude={"name"})


def test_it_maps_each_recorder_step_to_one_native_step() -> None:
    steps: list[dict[str, Any]] = [
        {"type": "setViewport", "width": 800, "height": 600, "deviceScaleFactor": 1, "isMobile": False,
         "hasTouch": False, "isLandscape": False},
        {"type": "navigate", "url": "https://example.test/"},
        {"type": "click", "selectors": [["#a"]], "offsetX": 1, "offsetY": 2},
        {"type": "doubleClick", "selectors": [["#a"]], "offsetX": 1, "offsetY": 2},
        {"type": "change", "selectors": [["#a"]], "value": "x"},
        {"type": "keyDown", "key": "Shift"},
        {"type": "keyUp", "key": "Shift"},
        {"type": "hover", "selectors": [["#a"]]},
        {"type": "scroll", "x": 0, "y": 10},
        {"type": "waitForElement", "selectors": [["#a"]]},
        {"type": "waitForExpression", "expression": "1 === 1"},
        {"type": "close"},
        {"type": "emulateNetworkConditions", "download": 1000, "upload": 500, "latency": 20},
    ]
    test = from_recorder(_flow(*steps))
    assert [s.action for s in test.steps] == [
        "set_viewport", "goto", "click", "dblclick", "fill", "key_down", "key_up", "hover", "scroll",
        "wait_for", "wait_for", "close", "emulate_network",
    ]
    assert test.name == "Flow"
    assert test.step_timeout_ms == 5000  # @puppeteer/replay's default per-step timeout


def test_it_maps_step_fields() -> None:
    assert _one({"type": "setViewport", "width": 390, "height": 844, "deviceScaleFactor": 3, "isMobile": True,
                 "hasTouch": True, "isLandscape": False}) == {"action": "set_viewport", "width": 390, "height": 844}
    assert _one({"type": "click", "selectors": ["#b"], "offsetX": 3.5, "offsetY": 4, "button": "secondary"}) == {
        "action": "click", "target": [{"css": "#b"}], "button": "right", "offset": {"x": 3.5, "y": 4}}
    assert _one({"type": "click", "selectors": ["#b"], "button": "auxiliary"})["button"] == "middle"
    assert _one({"type": "click", "selectors": ["#b"], "button": "back", "duration": 50}) == {
        "action": "click", "target": [{"css": "#b"}], "button": "back", "hold_ms": 50}
    assert _one({"type": "doubleClick", "selectors": ["#b"], "offsetX": 1, "offsetY": 1})["offset"] == {"x": 1, "y": 1}
    assert _one({"type": "doubleClick", "selectors": ["#b"], "button": "forward"})["button"] == "forward"
    assert _one({"type": "change", "selectors": ["#s"], "value": "O2"}) == {
        "action": "fill", "target": [{"css": "#s"}], "value": "O2"}
    assert _one({"type": "keyDown", "key": "Enter"}) == {"action": "key_down", "key": "Enter"}
    assert _one({"type": "scroll", "selectors": [["#box"]], "x": 5, "y": 7}) == {
        "action": "scroll", "target": [{"css": "#box"}], "x": 5, "y": 7}
    assert _one({"type": "waitForExpression", "expression": "window.ok"}) == {
        "action": "wait_for", "expression": "window.ok"}
    assert _one({"type": "emulateNetworkConditions", "download": 0, "upload": 0, "latency": 0}) == {
        "action": "emulate_network", "download": 0, "upload": 0, "offline": True}
    assert _one({"type": "close", "target": "https://example.test/popup.html"}) == {
        "action": "close", "page": "https://example.test/popup.html"}


def test_it_maps_wait_for_element_options() -> None:
    base = {"type": "waitForElement", "selectors": [["li"]]}
    assert _one(base) == {"action": "wait_for", "target": [{"css": "li"}], "state": "attached"}
    assert _one({**base, "count": 3, "operator": "=="}) == {
        "action": "wait_for", "target": [{"css": "li"}], "state": "attached", "count": 3, "operator": "=="}
    assert _one({**base, "count": 2, "operator": "<="})["operator"] == "<="
    with_checks = _one({**base, "properties": {"value": "x"}, "attributes": {"data-x": "1"}})
    assert with_checks["properties"] == {"value": "x"} and with_checks["attributes"] == {"data-x": "1"}
    # visible: false inverts the condition, as @puppeteer/replay does (result === visible)
    assert _one({**base, "visible": False})["state"] == "detached"
    assert _one({**base, "visible": False, "count": 3}) | {} == {
        "action": "wait_for", "target": [{"css": "li"}], "state": "attached", "count": 2, "operator": "<="}
    assert _one({**base, "visible": False, "count": 3, "operator": "<="})["count"] == 4
    # ... and where no inverted count says it, `negate` does (replay polls until it stops holding)
    assert _one({**base, "visible": False, "count": 3, "operator": "=="}) == {
        "action": "wait_for", "target": [{"css": "li"}], "state": "attached", "count": 3, "operator": "==",
        "negate": True}
    assert _one({**base, "visible": False, "properties": {"checked": True}, "attributes": {"a": "1"}}) == {
        "action": "wait_for", "target": [{"css": "li"}], "state": "attached", "count": 1, "negate": True,
        "properties": {"checked": True}, "attributes": {"a": "1"}}


def test_it_maps_every_selector_kind() -> None:
    step = {"type": "click", "selectors": [
        ["aria/Sign in[role=\"button\"]"],
        ["aria/Email"],
        ["aria/[role=\"main\"]"],
        ["text/Sign"],
        ["xpath///*[@id=\"go\"]"],
        ["pierce/#go"],
        ["#go"],
        "button.go",
        ["::-p-aria(Send)"],
    ]}
    assert _one(step)["target"] == [
        {"aria": "Sign in[role=\"button\"]"},
        {"aria": "Email"},
        {"aria": "[role=\"main\"]"},
        {"text": "Sign"},
        {"xpath": "//*[@id=\"go\"]"},
        {"css": "#go"},
        {"css": "button.go"},
        {"aria": "Send"},
    ]


def test_it_maps_shadow_chains_frames_popups_and_navigation() -> None:
    step = {
        "type": "click",
        "selectors": [["#host", "span > #inner"], ["pierce/#inner"]],
        "frame": [0, 1],
        "target": "https://example.test/popup.html",
        "timeout": 1234,
        "assertedEvents": [{"type": "navigation", "url": "https://example.test/next", "title": ""}],
    }
    assert _one(step) == {
        "timeout_ms": 1234,
        "page": "https://example.test/popup.html",
        "expect_navigation": {"url": "https://example.test/next"},
        "action": "click",
        "target": [
            {"css": "span > #inner", "frame_index": [0, 1], "within": [{"css": "#host"}]},
            {"css": "#inner", "frame_index": [0, 1]},
        ],
    }


def test_it_uses_the_flow_timeout_for_every_step() -> None:
    test = from_recorder(_flow({"type": "navigate", "url": "https://example.test/"}, timeout=2500))
    assert test.step_timeout_ms == 2500


def test_it_detects_recorder_flows_by_shape() -> None:
    assert is_recorder_flow(_flow({"type": "navigate", "url": "https://example.test/"}))
    native = {"version": 1, "name": "n", "steps": [{"action": "goto", "url": "https://example.test/"}]}
    assert not is_recorder_flow(native)
    assert not is_recorder_flow([1, 2])
    assert not is_recorder_flow({"title": "x"})
