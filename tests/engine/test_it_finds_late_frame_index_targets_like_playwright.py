"""A frame_index target in a frame that appears later is first counted in the frame's main
world (engine/locators.py `_quick_count`); where that read cannot decide - elements inside open
shadow roots, selectors only Playwright's CSS engine knows - Playwright's locator answers, so
the result is the same as without the shortcut."""

from tests.engine.helpers import assert_failed_at, assert_passed


def test_it_finds_an_element_inside_an_open_shadow_root_of_a_late_frame(run):
    result = run([{"action": "wait_for", "state": "attached", "target": {"css": "#in-shadow", "frame_index": [0]}},
                  {"action": "assert_text", "target": {"css": "#in-shadow", "frame_index": [0]}, "expected": "deep"}],
                 page="late_shadow_frame.html")
    assert_passed(result)


def test_it_understands_playwright_only_css_in_a_late_frame(run):
    result = run([{"action": "wait_for", "state": "attached",
                   "target": {"css": "p:has-text('Hello frame')", "frame_index": [0]}}],
                 page="late_shadow_frame.html")
    assert_passed(result)


def test_it_still_fails_when_the_late_frame_never_has_the_element(run):
    result = run([{"action": "wait_for", "state": "attached", "target": {"css": "#absent", "frame_index": [0]}}],
                 page="late_shadow_frame.html", last_timeout_ms=1500)
    assert_failed_at(result, 1, 'no element matches')
