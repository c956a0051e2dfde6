"""switch_frame / switch_main, popups (switch_popup and the step `page` field), dialogs."""

from __future__ import annotations

from tests.engine.helpers import assert_failed_at, assert_passed


def test_it_switches_into_nested_frames_and_back(run):
    result = run([
        {"action": "switch_frame", "target": {"css": "#child"}},
        {"action": "assert_text", "target": {"css": "#child-text"}, "expected": "In child"},
        {"action": "switch_frame", "target": {"css": "#grandchild"}},
        {"action": "fill", "target": {"css": "#deep"}, "value": "deep value"},
        {"action": "evaluate", "script": "document.getElementById('deep').value", "variable": "DEEP"},
        {"action": "wait_for", "expression": "document.title === 'Grandchild frame'"},
        {"action": "switch_main"},
        {"action": "assert_visible", "target": {"text": "Outer"}},
        {"action": "assert_count", "target": {"css": "#deep"}, "expected": 0},
    ], page="frames.html")
    assert_passed(result)
    assert result.variables == {"DEEP": "deep value"}


def test_it_fails_to_switch_into_something_that_is_not_a_frame(run):
    result = run([{"action": "switch_frame", "target": {"css": "h1"}}], page="frames.html")
    assert_failed_at(result, 1, 'css="h1" is not an <iframe> or <frame>')
    result = run([{"action": "switch_frame", "target": {"css": "#no-frame"}}], page="frames.html",
                 last_timeout_ms=1500)
    assert_failed_at(result, 1, 'no element matches css="#no-frame"')


def test_it_follows_popups_opened_by_links_and_window_open(run, site):
    result = run([
        {"action": "click", "target": {"css": "#blank-link"}},
        {"action": "switch_popup"},
        {"action": "assert_url", "expected": "popup_target.html?via=link"},
        {"action": "click", "target": {"css": "#popup-btn"}},
        {"action": "assert_text", "target": {"css": "#popup-btn"}, "expected": "popup clicked"},
        {"action": "switch_main"},
        {"action": "click", "target": {"text": "Open window"}},
        {"action": "switch_popup", "url": site + "popup_target.html?via=js"},
        {"action": "assert_title", "expected": "Popup target"},
        {"action": "close"},
        # Closing a popup goes back to the newest remaining page.
        {"action": "assert_title", "expected": "Popup target"},
        {"action": "switch_main"},
        {"action": "assert_title", "expected": "Popup opener"},
    ], page="popup.html", base_url=site)
    assert_passed(result)


def test_it_runs_a_single_step_on_a_popup_named_by_its_url(run, site):
    result = run([
        {"action": "click", "target": {"css": "#open-window"}},
        {"action": "click", "target": {"css": "#popup-btn"}, "page": site + "popup_target.html?via=js"},
        {"action": "assert_text", "target": {"css": "#popup-btn"}, "expected": "popup clicked",
         "page": "**/popup_target.html*"},
        # Without `page` the step runs on the main page again.
        {"action": "assert_title", "expected": "Popup opener", "page": "main"},
        {"action": "assert_title", "expected": "Popup opener"},
    ], page="popup.html")
    assert_passed(result)


def test_it_fails_when_the_popup_never_opens(run, site):
    result = run([{"action": "switch_popup"}], page="popup.html", last_timeout_ms=500)
    assert_failed_at(result, 1, "a popup did not open (open pages: http://")
    result = run([{"action": "click", "target": {"css": "#blank-link"}},
                  {"action": "switch_popup", "url": site + "other.html"}], page="popup.html", last_timeout_ms=1500)
    assert_failed_at(result, 2, f"a page at {site}other.html did not open")


def test_it_dismisses_dialogs_by_default_and_never_hangs(run):
    result = run([
        {"action": "click", "target": {"css": "#alert"}},
        {"action": "assert_text", "target": {"css": "#result"}, "expected": "alert done"},
        {"action": "click", "target": {"css": "#confirm"}},
        {"action": "assert_text", "target": {"css": "#result"}, "expected": "cancelled"},
        {"action": "click", "target": {"css": "#prompt"}},
        {"action": "assert_text", "target": {"css": "#result"}, "expected": "prompt: null"},
    ], page="dialogs.html")
    assert_passed(result)
    assert result.steps[1].dialogs == ["alert: Hello alert"]
    assert result.steps[3].dialogs == ["confirm: Sure?"]


def test_it_accepts_dialogs_and_answers_prompts_per_policy(run):
    result = run([
        {"action": "handle_dialog", "accept": True},
        {"action": "click", "target": {"css": "#confirm"}},
        {"action": "assert_text", "target": {"css": "#result"}, "expected": "confirmed"},
        {"action": "click", "target": {"css": "#prompt"}},
        {"action": "assert_text", "target": {"css": "#result"}, "expected": "prompt: default"},
        {"action": "handle_dialog", "accept": True, "prompt_text": "Ada"},
        {"action": "click", "target": {"css": "#prompt"}},
        {"action": "assert_text", "target": {"css": "#result"}, "expected": "prompt: Ada"},
        {"action": "handle_dialog", "accept": False},
        {"action": "click", "target": {"css": "#confirm"}},
        {"action": "assert_text", "target": {"css": "#result"}, "expected": "cancelled"},
    ], page="dialogs.html")
    assert_passed(result)


def test_it_fails_an_assertion_that_expected_the_other_dialog_choice(run):
    result = run([{"action": "click", "target": {"css": "#confirm"}},
                  {"action": "assert_text", "target": {"css": "#result"}, "expected": "confirmed"}],
                 page="dialogs.html", last_timeout_ms=1500)
    assert_failed_at(result, 2, "expected text 'confirmed' but found 'cancelled'")
