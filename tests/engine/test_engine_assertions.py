"""assert_* steps: the passing path with each match mode, and readable failures."""

from __future__ import annotations

import pytest

from tests.engine.helpers import assert_failed_at

GREETING = {"css": "#greeting"}


def test_it_passes_every_assertion_on_a_matching_page(run):
    result = run([
        {"action": "fill", "target": {"css": "#user"}, "value": "alice"},
        {"action": "click", "target": {"css": "#remember"}},
        {"action": "assert_visible", "target": GREETING},
        {"action": "assert_hidden", "target": {"css": "#hidden"}},
        {"action": "assert_hidden", "target": {"css": "#does-not-exist"}},
        {"action": "assert_text", "target": GREETING, "expected": "Welcome, guest"},
        {"action": "assert_text", "target": GREETING, "expected": "guest", "match": "contains"},
        {"action": "assert_text", "target": GREETING, "expected": r"^Welcome, \w+$", "match": "regex"},
        {"action": "assert_value", "target": {"css": "#user"}, "expected": "alice"},
        {"action": "assert_value", "target": {"css": "#user"}, "expected": "lic", "match": "contains"},
        {"action": "assert_value", "target": {"css": "#user"}, "expected": "^a.*e$", "match": "regex"},
        {"action": "assert_attribute", "target": {"css": "#submit"}, "attribute": "data-kind", "expected": "primary"},
        {"action": "assert_attribute", "target": {"css": "#submit"}, "attribute": "type", "expected": "sub",
         "match": "contains"},
        {"action": "assert_count", "target": {"css": "#list li"}, "expected": 3},
        {"action": "assert_count", "target": {"css": "#list li"}, "expected": 2, "operator": ">="},
        {"action": "assert_count", "target": {"css": "#list li"}, "expected": 5, "operator": "<="},
        {"action": "assert_count", "target": {"css": ".nothing"}, "expected": 0},
        {"action": "assert_url", "expected": "form.html", "match": "contains"},
        {"action": "assert_url", "expected": r"/form\.html$", "match": "regex"},
        {"action": "assert_title", "expected": "Login form"},
        {"action": "assert_title", "expected": "Login", "match": "contains"},
        {"action": "assert_checked", "target": {"css": "#remember"}},
        {"action": "assert_checked", "target": {"label": "Password"}, "checked": False, "continue_on_failure": True},
        {"action": "assert_enabled", "target": {"css": "#submit"}},
        {"action": "assert_enabled", "target": {"css": "#disabled-btn"}, "enabled": False},
    ])
    # assert_checked on a password box is an error in Playwright: the soft step records it.
    assert result.steps[23].status == "failed"
    assert [s.index for s in result.steps if s.status == "failed"] == [23]
    result.steps = [s for s in result.steps if s.index != 23]
    assert all(s.status == "passed" for s in result.steps)


@pytest.mark.parametrize(("step", "fragments"), [
    ({"action": "assert_visible", "target": {"css": "#hidden"}}, ['css="#hidden" exists but is not visible']),
    ({"action": "assert_hidden", "target": GREETING}, ['css="#greeting" is visible but should be hidden']),
    ({"action": "assert_text", "target": GREETING, "expected": "Welcome, alice"},
     ["expected text 'Welcome, alice' but found 'Welcome, guest' in css=\"#greeting\""]),
    ({"action": "assert_text", "target": GREETING, "expected": "alice", "match": "contains"},
     ["expected text containing 'alice' but found 'Welcome, guest'"]),
    ({"action": "assert_text", "target": GREETING, "expected": "^bye", "match": "regex"},
     ["expected text matching '^bye' but found 'Welcome, guest'"]),
    ({"action": "assert_text", "target": GREETING, "expected": "(", "match": "regex"}, ["invalid regex '('"]),
    ({"action": "assert_value", "target": {"css": "#readonly"}, "expected": "changed"},
     ["expected value 'changed' but found 'fixed' in css=\"#readonly\""]),
    ({"action": "assert_attribute", "target": {"css": "#submit"}, "attribute": "data-kind", "expected": "danger"},
     ["expected attribute data-kind 'danger' but found 'primary' on css=\"#submit\""]),
    ({"action": "assert_attribute", "target": {"css": "#submit"}, "attribute": "data-x", "expected": "1"},
     ["but found no such attribute"]),
    ({"action": "assert_count", "target": {"css": "#list li"}, "expected": 2},
     ['expected == 2 elements matching css="#list li" but found 3']),
    ({"action": "assert_count", "target": {"css": "#list li"}, "expected": 4, "operator": ">="},
     ["expected >= 4 elements", "but found 3"]),
    ({"action": "assert_count", "target": {"css": "#list li"}, "expected": 1, "operator": "<="},
     ["expected <= 1 elements", "but found 3"]),
    ({"action": "assert_url", "expected": "http://example.com/"},
     ["expected URL 'http://example.com/' but the page is at 'http://127.0.0.1:"]),
    ({"action": "assert_title", "expected": "Dashboard"}, ["expected title 'Dashboard' but found 'Login form'"]),
    ({"action": "assert_checked", "target": {"css": "#remember"}},
     ['expected css="#remember" to be checked but it is not']),
    ({"action": "assert_enabled", "target": {"css": "#disabled-btn"}},
     ['expected css="#disabled-btn" to be enabled but it is disabled']),
], ids=lambda v: v["action"] + "-" + str(v.get("match", "")) if isinstance(v, dict) else "")
def test_it_fails_an_assertion_with_what_it_found(run, step, fragments):
    result = run([{**step, "timeout_ms": 1500}, {"action": "click", "target": {"css": "#submit"}}])
    assert_failed_at(result, 1, *fragments)
    assert result.steps[2].status == "skipped"
