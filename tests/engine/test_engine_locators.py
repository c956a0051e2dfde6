"""Every locator kind, its refinements (has_text, nth, within, frames, shadow DOM) and fallbacks."""

from __future__ import annotations

import time

import pytest

from tests.engine.helpers import assert_failed_at, assert_passed

KIND_CASES = [
    ({"css": "#save"}, 'css="#save"'),
    ({"xpath": "//button[@id='save']"}, "xpath=\"//button[@id='save']\""),
    ({"text": "Card content"}, 'text="Card content"'),
    ({"role": "button", "name": "Save", "exact": True}, 'role="button"[name="Save"]'),
    ({"label": "Email address"}, 'label="Email address"'),
    ({"placeholder": "Search here"}, 'placeholder="Search here"'),
    ({"test_id": "card"}, 'test_id="card"'),
    ({"alt_text": "Company logo"}, 'alt_text="Company logo"'),
    ({"title": "Tooltip title"}, 'title="Tooltip title"'),
]


def test_it_finds_an_element_with_every_locator_kind(run):
    steps = [{"action": "assert_visible", "target": loc} for loc, _ in KIND_CASES]
    result = run(steps, page="locators.html")
    assert_passed(result)
    assert [s.locator_used for s in result.steps[1:]] == [described for _, described in KIND_CASES]


@pytest.mark.parametrize(("locator", "described"), [
    ({"css": "#nope"}, 'css="#nope"'),
    ({"xpath": "//button[@id='nope']"}, "xpath=\"//button[@id='nope']\""),
    ({"text": "No such text"}, 'text="No such text"'),
    ({"role": "button", "name": "Delete"}, 'role="button"[name="Delete"]'),
    ({"label": "Phone"}, 'label="Phone"'),
    ({"placeholder": "Nothing"}, 'placeholder="Nothing"'),
    ({"test_id": "missing"}, 'test_id="missing"'),
    ({"alt_text": "No logo"}, 'alt_text="No logo"'),
    ({"title": "No title"}, 'title="No title"'),
])
def test_it_fails_clearly_when_a_locator_kind_matches_nothing(run, locator, described):
    result = run([{"action": "click", "target": locator}], page="locators.html", last_timeout_ms=500)
    assert_failed_at(result, 1, f"no element matches {described}")


def test_it_refines_matches_with_exact_has_text_and_nth(run):
    result = run([
        {"action": "click", "target": {"role": "button", "name": "Save draft"}},
        {"action": "assert_text", "target": {"css": "#out"}, "expected": "clicked Save draft"},
        {"action": "assert_count", "target": {"role": "button", "name": "Save"}, "expected": 2},
        {"action": "assert_count", "target": {"role": "button", "name": "Save", "exact": True}, "expected": 1},
        {"action": "assert_text", "target": {"css": ".item", "nth": 1}, "expected": "Banana"},
        {"action": "assert_text", "target": {"css": ".item", "nth": -1}, "expected": "Cherry"},
        {"action": "assert_text", "target": {"css": ".item", "has_text": "Cher"}, "expected": "Cherry"},
        # Several matches and no nth: the first one is used.
        {"action": "assert_text", "target": {"css": ".item"}, "expected": "Apple"},
    ], page="locators.html")
    assert_passed(result)
    assert result.steps[5].locator_used == 'css=".item"[nth=1]'


def test_it_uses_the_first_alternative_that_resolves_and_records_it(run):
    started = time.monotonic()
    result = run([{"action": "click", "target": [
        {"css": "#gone"}, {"xpath": "//nothing"}, {"role": "button", "name": "Save", "exact": True}, {"css": "#save"},
    ]}], page="locators.html", step_timeout_ms=20_000)
    assert_passed(result)
    assert result.steps[1].locator_used == 'role="button"[name="Save"]'
    # The missing alternatives did not eat the step timeout.
    assert time.monotonic() - started < 10


def test_it_waits_for_an_alternative_that_appears_later(run):
    result = run([{"action": "click", "target": [{"css": "#never"}, {"css": "#late-btn"}]},
                  {"action": "assert_attribute", "target": {"css": "#late"}, "attribute": "data-state",
                   "expected": "done"}], page="delayed.html")
    assert_passed(result)
    assert result.steps[1].locator_used == 'css="#late-btn"'


def _without_syntax_checks(monkeypatch):
    # Locators stored before save-time syntax checks existed still reach the browser: these
    # tests cover how the run reports them (the model refuses them now, see test_it_refuses...).
    import traceiq_app.engine.model as model

    monkeypatch.setattr(model, "css_problem", lambda value: None)
    monkeypatch.setattr(model, "xpath_problem", lambda value: None)


def test_it_lists_every_alternative_when_none_resolves(run, monkeypatch):
    _without_syntax_checks(monkeypatch)
    result = run([{"action": "click", "target": [{"css": "#a1"}, {"text": "nothing here"}, {"css": "[[bad"}]}],
                 page="locators.html", last_timeout_ms=500)
    message = assert_failed_at(result, 1, "no element matches any of 3 alternatives", 'css="#a1" (no match)',
                               'text="nothing here" (no match)', 'css="[[bad"')
    assert "selector" in message.lower()


def test_it_reports_an_invalid_selector_readably(run, monkeypatch):
    _without_syntax_checks(monkeypatch)
    result = run([{"action": "click", "target": {"xpath": "//*[@@"}}], page="locators.html", last_timeout_ms=1500)
    assert_failed_at(result, 1, "cannot use locator xpath=")


def test_it_looks_inside_within_chains_and_open_shadow_roots(run):
    result = run([
        {"action": "fill", "target": {"css": "#shadow-input"}, "value": "pierced"},
        {"action": "click", "target": {"role": "button", "name": "Shadow button",
                                       "within": [{"css": "my-widget"}, {"css": ".inner"}]}},
        {"action": "assert_text", "target": {"css": "#shadow-out"}, "expected": "shadow pierced"},
        {"action": "assert_visible", "target": {"text": "Shadow button"}},
        {"action": "assert_visible", "target": {"placeholder": "Shadow input", "within": [{"css": "#host"}]}},
    ], page="shadow.html")
    assert_passed(result)
    assert result.steps[2].locator_used == 'css="my-widget" >> css=".inner" >> role="button"[name="Shadow button"]'


def test_it_fails_a_within_chain_whose_parent_does_not_contain_the_element(run):
    result = run([{"action": "click", "target": {"text": "Shadow button", "within": [{"css": "#shadow-out"}]}}],
                 page="shadow.html", last_timeout_ms=500)
    assert_failed_at(result, 1, 'no element matches css="#shadow-out" >> text="Shadow button"')


def test_it_finds_elements_in_nested_frames_by_css_path_and_by_index(run):
    result = run([
        {"action": "click", "target": {"css": "#child-btn", "frame": ["#child"]}},
        {"action": "assert_text", "target": {"css": "#child-btn", "frame": ["#child"]}, "expected": "clicked child"},
        {"action": "fill", "target": {"placeholder": "Deep input", "frame": ["#child", "#grandchild"]}, "value": "x"},
        {"action": "assert_value", "target": {"css": "#deep", "frame_index": [0, 0]}, "expected": "x"},
        {"action": "assert_text", "target": {"css": "#child-text", "frame_index": [0]}, "expected": "In child"},
    ], page="frames.html")
    assert_passed(result)
    assert result.steps[4].locator_used == 'frame[0, 0] >> css="#deep"'


def test_it_explains_a_frame_index_that_does_not_exist(run):
    result = run([{"action": "click", "target": [{"css": "#x", "frame_index": [3]}, {"css": "#nope"}]}],
                 page="frames.html", last_timeout_ms=500)
    assert_failed_at(result, 1, "frame [3] does not exist (found 1 child frames)")
