"""Recorded clicks (`offset`, Chrome Recorder offsetX/offsetY) land where they were recorded:
the element's border box + offset, accepting a hit on the element, its descendants, or its
ancestors inside the same SVG or shadow tree, and waiting out anything else (an overlay)."""

from __future__ import annotations

from tests.engine.helpers import assert_failed_at, assert_passed

OUT = {"css": "#out"}


def test_it_clicks_at_the_offset_from_the_border_box_once_an_overlay_is_gone(run):
    result = run([
        {"action": "click", "target": {"css": "#target"}, "offset": {"x": 10, "y": 12}},
        # offsetX/Y in the page are from the padding box: the 5 px border is already counted
        {"action": "assert_text", "target": OUT, "expected": "target:5,7", "match": "contains"},
    ], page="recorded_clicks.html?veil=400")
    assert_passed(result)


def test_it_fails_naming_what_covers_the_recorded_point(run):
    result = run([{"action": "click", "target": {"css": "#target"}, "offset": {"x": 10, "y": 12}}],
                 page="recorded_clicks.html", last_timeout_ms=800)
    assert_failed_at(result, 1, '<div id="veil"> intercepts pointer events at the recorded point (offset 10, 12)')


def test_it_accepts_an_ancestor_inside_the_same_shadow_tree(run):
    result = run([
        {"action": "click", "target": {"css": "#icon"}, "offset": {"x": 2, "y": 2}},
        {"action": "assert_text", "target": OUT, "expected": "wrap", "match": "contains"},
    ], page="recorded_clicks.html?veil=0")
    assert_passed(result)


def test_it_does_not_accept_an_ancestor_outside_svg_and_shadow_trees(run):
    result = run([{"action": "click", "target": {"css": "#light-icon"}, "offset": {"x": 2, "y": 2}}],
                 page="recorded_clicks.html?veil=0", last_timeout_ms=800)
    assert_failed_at(result, 1, '<div id="light"> intercepts pointer events')


def test_it_presses_back_and_forward_buttons_through_cdp(run):
    result = run([
        {"action": "click", "target": {"css": "#target"}, "button": "back"},
        {"action": "dblclick", "target": {"css": "#target"}, "button": "forward", "hold_ms": 20},
        {"action": "evaluate", "script": "window.__buttons.join(',')", "variable": "BUTTONS"},
    ], page="recorded_clicks.html?veil=0")
    assert_passed(result)
    assert result.variables["BUTTONS"] == "3,4,4"


def test_it_moves_through_the_history_with_back_and_forward_buttons_like_a_real_mouse(run, site):
    result = run([
        {"action": "goto", "url": site + "recorded_clicks.html?veil=0&second=1"},
        {"action": "click", "target": {"css": "#light"}, "button": "back"},
        {"action": "assert_url", "expected": site + "recorded_clicks.html?veil=0"},
        {"action": "click", "target": {"css": "#light"}, "button": "forward"},
        {"action": "assert_url", "expected": site + "recorded_clicks.html?veil=0&second=1"},
    ], page="recorded_clicks.html?veil=0")
    assert_passed(result)


def test_it_clicks_at_the_offset_inside_a_frame_scrolled_out_of_view(run):
    result = run([
        {"action": "click", "target": {"css": "#deep", "frame_index": [0]}, "offset": {"x": 3, "y": 4}},
        {"action": "assert_text", "target": {"css": "#out", "frame_index": [0]}, "expected": "deep:3,4"},
    ], page="recorded_frame.html")
    assert_passed(result)


def test_it_scrolls_the_page_to_an_element_out_of_view(run):
    result = run([
        {"action": "click", "target": {"css": "#below"}, "offset": {"x": 5, "y": 6}},
        {"action": "assert_text", "target": {"css": "#out"}, "expected": "below:5,6"},
    ], page="recorded_frame.html")
    assert_passed(result)
