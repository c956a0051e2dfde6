"""`aria` locators (Chrome Recorder `aria/`) find elements by the accessible name Chromium
computes, of any role or of the given role, in frames too, and notice names that change."""

from __future__ import annotations

from tests.engine.helpers import assert_failed_at, assert_passed
from traceiq_app.engine import locators
from traceiq_app.engine.aria import AriaResolver
from traceiq_app.engine.model import Locator


def test_it_finds_any_role_by_its_computed_name_and_follows_renames(run):
    result = run([
        {"action": "fill", "target": {"aria": "Select"}, "value": "b"},  # a <select> named by its <label>
        {"action": "assert_value", "target": {"css": "#s"}, "expected": "b"},
        {"action": "assert_count", "target": {"aria": "Save"}, "expected": 2},  # the button and the link
        {"action": "click", "target": {"aria": 'Save[role="button"]'}},
        {"action": "assert_count", "target": {"aria": "Save"}, "expected": 1},  # renamed "Saved"
        {"action": "assert_count", "target": {"aria": 'Saved[role="button"]'}, "expected": 1},
        {"action": "assert_count", "target": {"aria": 'Save[role="link"]'}, "expected": 1},
    ], page="aria_names.html")
    assert_passed(result)


def test_it_looks_inside_frames(run):
    result = run([
        {"action": "click", "target": {"aria": "Inside frame", "frame_index": [0]}},
        {"action": "assert_text", "target": {"css": "button", "frame_index": [0]}, "expected": "Pressed"},
    ], page="aria_names.html")
    assert_passed(result)


def test_it_fails_when_no_element_has_that_name(run):
    result = run([{"action": "click", "target": [{"aria": "Delete"}, {"css": "#delete"}]}],
                 page="aria_names.html", last_timeout_ms=800)
    assert_failed_at(result, 1, 'aria="Delete" (no match)', 'css="#delete" (no match)')


def test_it_uses_role_and_name_without_an_accessibility_tree(engine, site):
    # Firefox/WebKit: no accessibility tree; Playwright's label/role/text stand in for the name.
    browser = engine._pool.get("chromium")  # noqa: SLF001 - the engine's warm browser
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(site + "aria_names.html")
        main, elsewhere = page.main_frame, AriaResolver(context, "firefox")
        assert locators.build(page, main, Locator(aria="Select"), elsewhere).evaluate("e => e.id") == "s"
        assert locators.build(page, main, Locator(aria='Save[role="link"]'), elsewhere).evaluate("e => e.id") == "link"
        assert locators.build(page, main, Locator(aria="Save"), elsewhere).count() == 2
        assert page.locator("[data-traceiq-aria]").count() == 0  # nothing tagged
    finally:
        context.close()
