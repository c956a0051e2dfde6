"""A CSS or XPath locator that no browser can parse (`##btn[[`, `//div[`) is refused when the
test is saved and when a file is imported, with the step, the field and what is wrong — it used
to be accepted and then fail at run time on every retry."""

from __future__ import annotations

import json

import pytest

from traceiq_app.services.catalog import imports, test_cases
from traceiq_app.services.catalog.test_cases import TestCaseInvalid


def test_it_refuses_them_at_save_with_a_located_error(personas) -> None:
    pid = personas.project.id
    steps = [
        {"action": "goto", "url": "/"},
        {"action": "click", "target": [{"role": "button", "name": "Buy"}, {"css": "##btn[["}]},
        {"action": "assert_visible", "target": {"xpath": "//div[@id='x'"}},
        {"action": "click", "target": {"css": "#ok > button:has-text(\"Go\")"}},  # valid (Playwright CSS)
        {"action": "fill", "target": {"css": "#${FIELD}"}, "value": "v"},  # a variable: checked as a name
    ]
    with pytest.raises(TestCaseInvalid) as info:
        test_cases.create_test_case(pid, "Bad locators", steps)
    found = {(p.step, p.field): p.message for p in info.value.details}
    assert set(found) == {(1, "target.1.css"), (2, "target.0.xpath")}, found
    assert found[(1, "target.1.css")].startswith("invalid CSS selector '##btn[[': ")
    assert "unclosed '['" in found[(2, "target.0.xpath")]
    assert any(p.startswith("Step 2 (click): target.1.css: invalid CSS selector") for p in info.value.problems)
    assert test_cases.list_test_cases(pid) == []

    test_cases.create_test_case(pid, "Good locators", [steps[0], steps[3], steps[4]])


def test_it_refuses_them_in_an_import(personas) -> None:
    flow = {"title": "Bad", "steps": [
        {"type": "navigate", "url": "https://shop.test/"},
        {"type": "click", "selectors": [["##btn[["]], "offsetX": 1, "offsetY": 1},
    ]}
    preview = imports.preview_import("bad.json", json.dumps(flow))
    assert any("steps[1]" in p and "invalid CSS selector '##btn[['" in p for p in preview.not_understood), \
        preview.not_understood
    assert [s["action"] for s in preview.steps] == ["goto"]
