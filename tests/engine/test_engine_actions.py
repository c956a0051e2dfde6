"""Pointer, keyboard and form actions: each one working, and each one failing readably."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.helpers import SITE_DIR, assert_failed_at, assert_passed


def test_it_fills_types_presses_checks_and_selects(run):
    result = run([
        {"action": "fill", "target": {"label": "Username"}, "value": "alice"},
        {"action": "type", "target": {"css": "#notes"}, "text": "ab", "delay_ms": 5},
        {"action": "press", "target": {"css": "#notes"}, "key": "Shift+C"},
        {"action": "press", "key": "Tab"},
        {"action": "key_down", "key": "Shift"},
        {"action": "key_up", "key": "Shift"},
        {"action": "check", "target": {"label": "Remember me"}},
        {"action": "uncheck", "target": {"css": "#remember"}},
        {"action": "select_option", "target": {"css": "#color"}, "values": ["g"]},
        {"action": "assert_value", "target": {"css": "#color"}, "expected": "g"},
        {"action": "select_option", "target": {"label": "Color"}, "labels": ["Blue"]},
        {"action": "assert_value", "target": {"css": "#color"}, "expected": "b"},
        {"action": "select_option", "target": {"css": "#multi"}, "values": ["a", "b"]},
        {"action": "assert_value", "target": {"css": "#notes"}, "expected": "abC"},
        {"action": "assert_checked", "target": {"css": "#remember"}, "checked": False},
        {"action": "assert_text", "target": {"css": "#keys"}, "expected": "[Shift+shift]", "match": "contains"},
        {"action": "click", "target": {"css": "#submit"}},
        {"action": "assert_text", "target": {"css": "#greeting"}, "expected": "Welcome, alice"},
    ])
    assert_passed(result)


def test_it_clicks_double_clicks_right_clicks_and_hovers(run, site):
    result = run([
        {"action": "dblclick", "target": {"css": "#greeting"}},
        {"action": "assert_text", "target": {"css": "#dbl"}, "expected": "double"},
        {"action": "right_click", "target": {"css": "#greeting"}},
        {"action": "assert_text", "target": {"css": "#ctx"}, "expected": "context"},
        {"action": "click", "target": {"css": "#greeting"}, "button": "right", "position": {"x": 2, "y": 2}},
        {"action": "click", "target": {"css": "#submit"}, "modifiers": ["Shift"], "force": True},
        {"action": "goto", "url": site + "hover.html"},
        {"action": "assert_hidden", "target": {"css": "#sub-item"}},
        {"action": "hover", "target": {"css": "#menu"}},
        {"action": "click", "target": {"text": "Sub item"}},
        {"action": "assert_text", "target": {"css": "#chosen"}, "expected": "sub chosen"},
    ])
    assert_passed(result)


def test_it_uploads_files_relative_to_the_test_folder(run):
    result = run([
        {"action": "upload", "target": {"css": "#file"}, "files": ["upload_me.txt"]},
        {"action": "assert_text", "target": {"css": "#files"}, "expected": "upload_me.txt:13"},
    ], page="upload.html", source_dir=SITE_DIR)
    assert_passed(result)


def test_it_drags_and_drops(run):
    result = run([
        {"action": "drag_and_drop", "source": {"css": "#drag"}, "target": {"text": "Drop here"}},
        {"action": "assert_text", "target": {"css": "#drop"}, "expected": "dropped drag"},
    ], page="dnd.html")
    assert_passed(result)
    assert result.steps[1].locator_used == 'css="#drag" → text="Drop here"'


def test_it_scrolls_elements_the_window_and_into_view(run):
    result = run([
        {"action": "scroll", "target": {"css": "#box"}, "y": 250},
        {"action": "assert_text", "target": {"css": "#pos"}, "expected": "250"},
        {"action": "scroll", "y": 500},
        {"action": "wait_for", "expression": "window.scrollY === 500"},
        {"action": "scroll", "target": {"css": "#far"}},
        {"action": "wait_for", "expression": "window.scrollY > 2000"},
        {"action": "scroll", "target": {"css": "#box"}, "x": 0, "y": 0},
        {"action": "assert_text", "target": {"css": "#pos"}, "expected": "0"},
    ], page="scroll.html")
    assert_passed(result)


def _limit(fragments: list[str]) -> int:
    """Short limits only for failures that wait them out; the others fail at once, and a long
    limit keeps a busy machine from turning them into timeouts."""
    if any(f.startswith("no element matches") for f in fragments):
        return 500  # nothing to find: the outcome is the same however busy the machine is
    return 1500 if any(f.startswith("could not") for f in fragments) else 15_000


@pytest.mark.parametrize(("step", "fragments"), [
    ({"action": "click", "target": {"css": "#disabled-btn"}},
     ['could not click css="#disabled-btn": the element is disabled (waited 1.5 s)']),
    ({"action": "dblclick", "target": {"css": "#hidden"}},
     ['could not double-click css="#hidden": the element is not visible']),
    ({"action": "right_click", "target": {"css": "#missing"}}, ['no element matches css="#missing"']),
    ({"action": "hover", "target": {"css": "#hidden"}}, ['could not hover over css="#hidden"']),
    ({"action": "fill", "target": {"css": "#readonly"}, "value": "x"},
     ['could not fill css="#readonly": the element is not editable']),
    ({"action": "fill", "target": {"css": "#greeting"}, "value": "x"}, ["Element is not an <input>"]),
    ({"action": "type", "target": {"css": "#nowhere"}, "text": "x"}, ['no element matches css="#nowhere"']),
    ({"action": "press", "key": "NoSuchKey"}, ['Unknown key: "NoSuchKey"']),
    ({"action": "press", "target": {"css": "#nowhere"}, "key": "Enter"}, ['no element matches css="#nowhere"']),
    ({"action": "key_down", "key": "NotAKey"}, ['Unknown key: "NotAKey"']),
    ({"action": "key_up", "key": "NotAKey"}, ['Unknown key: "NotAKey"']),
    ({"action": "check", "target": {"css": "#greeting"}}, ["Not a checkbox or radio button"]),
    ({"action": "uncheck", "target": {"css": "#nope"}}, ['no element matches css="#nope"']),
    ({"action": "select_option", "target": {"css": "#color"}, "labels": ["Purple"]},
     ["no option with label 'Purple' (options: 'Red', 'Green', 'Blue')"]),
    ({"action": "upload", "target": {"css": "#file"}, "files": ["missing.txt"]}, ["upload file 'missing.txt' not found"]),
    ({"action": "upload", "target": {"css": "#file"}, "files": ["../conftest.py"]},
     ["upload file '../conftest.py' is outside the test's folder"]),
    ({"action": "drag_and_drop", "source": {"css": "#greeting"}, "target": {"css": "#nope"}},
     ['no element matches css="#nope"']),
    ({"action": "scroll", "target": {"css": "#nope"}, "y": 10}, ['no element matches css="#nope"']),
], ids=lambda v: v["action"] if isinstance(v, dict) else "")
def test_it_fails_an_action_with_a_readable_reason(run, step, fragments):
    result = run([step], last_timeout_ms=_limit(fragments), source_dir=SITE_DIR)
    message = assert_failed_at(result, 1, *fragments)
    assert "Locator." not in message and "Keyboard." not in message


def test_it_names_the_element_that_intercepts_a_click(run):
    result = run([
        {"action": "evaluate", "script": "document.getElementById('overlay').style.display = 'block'"},
        {"action": "click", "target": {"css": "#covered"}},
    ], last_timeout_ms=1500)
    assert_failed_at(result, 2, 'could not click css="#covered": <div id="overlay"', "intercepts pointer events")


def test_it_resolves_upload_paths_against_the_current_directory_without_source_dir(run, monkeypatch):
    monkeypatch.chdir(SITE_DIR)
    result = run([{"action": "upload", "target": {"css": "#file"}, "files": [str(Path("upload_me.txt"))]}],
                 page="upload.html")
    assert_passed(result)


@pytest.mark.parametrize(("steps", "fragments"), [
    ([{"action": "extract", "target": {"css": "#submit"}, "variable": "X", "source": "attribute",
       "attribute": "data-nope"}], ["the element has no attribute data-nope"]),
    ([{"action": "extract", "target": {"css": "#submit"}, "variable": "X", "source": "attribute"}],
     ["extract with source 'attribute' needs 'attribute'"]),
    ([{"action": "extract", "target": {"css": "#nope"}, "variable": "X"}], ['no element matches css="#nope"']),
    ([{"action": "evaluate", "script": "throw new Error('bad script')"}], ["the script threw: Error: bad script"]),
    ([{"action": "screenshot", "target": {"css": "#nope"}}], ['no element matches css="#nope"']),
    ([{"action": "close"}, {"action": "close"}], ["no open page (it was closed by an earlier step)"]),
    ([{"action": "close"}, {"action": "set_viewport", "width": 10, "height": 10}], ["no open page"]),
    ([{"action": "close"}, {"action": "switch_main"}], ["the main page was closed"]),
    ([{"action": "emulate_network", "offline": True}, {"action": "reload"}], ["net::ERR_INTERNET_DISCONNECTED"]),
], ids=lambda v: "+".join(s["action"] for s in v) if v and isinstance(v[0], dict) else "")
def test_it_fails_data_page_and_evidence_steps_readably(run, steps, fragments):
    result = run(steps, last_timeout_ms=_limit(fragments))
    assert_failed_at(result, len(steps), *fragments)


def test_it_fills_a_select_by_option_value_then_by_label(run):
    # Chrome Recorder `change` steps on a <select> import as fill (as @puppeteer/replay replays them).
    result = run([
        {"action": "fill", "target": {"css": "#color"}, "value": "g"},
        {"action": "assert_value", "target": {"css": "#color"}, "expected": "g"},
        {"action": "fill", "target": {"css": "#color"}, "value": "Blue"},
        {"action": "assert_value", "target": {"css": "#color"}, "expected": "b"},
    ], page="form.html")
    assert_passed(result)


def test_it_fails_to_fill_a_select_without_such_option(run):
    result = run([
        {"action": "fill", "target": {"css": "#color"}, "value": "x", "timeout_ms": 3000},
    ], page="form.html")
    message = assert_failed_at(result, 1, "no option with value or label 'x' in css=\"#color\"",
                               "(options: 'r' ('Red'), 'g' ('Green'), 'b' ('Blue'))")
    assert "not an <input>" not in message
