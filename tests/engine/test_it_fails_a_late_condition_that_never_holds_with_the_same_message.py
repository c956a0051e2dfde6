"""A wait whose condition never turns true fails at its timeout with the message the engine gave
before waits became event-driven (the whole message after the "step N (action): " prefix)."""

from __future__ import annotations

import time

import pytest

from tests.engine.helpers import assert_failed_at
from tests.engine.late_conditions import PAGE, wait_step

TIMEOUT_MS = 700

MESSAGES = {
    "count==": 'expected == 3 elements matching css="#m-list li" but found 1',
    "count>=": 'expected >= 3 elements matching css="#m-list li" but found 1',
    "count<=": 'expected <= 1 elements matching css="#m-shrink li" but found 3',
    "text": "expected text 'after' but found 'before' in css=\"#m-text\"",
    "value": "expected value 'after' but found 'before' in css=\"#m-input\"",
    "checked": 'expected css="#m-check" to be checked but it is not',
    "attribute": "attribute data-state of css=\"#m-attr\" is 'before', not 'after'",
    "property": 'property ready of css="#m-prop" is None, not True',
    "expression": "expression 'document.getElementById('m-text').textContent === 'after'' did not become true",
    "visible": 'css="#m-vis" exists but did not become visible',
    "hidden": 'css="#m-hid" is visible but should be hidden',
    "fallback": 'no element matches any of 2 alternatives within 0.7 s: css="#m-never" (no match); '
                'css="#m-late" (no match)',
    "frame_index": 'no element matches any of 1 alternatives within 0.7 s: frame[1] >> css="#x" '
                   "(frame [1] does not exist (found 1 child frames))",
    "navigation": "the step did not navigate to '{site}late_changes.html?navigated=1' "
                  "(the page is at '{site}late_changes.html')",
    "url": "expected URL '{site}late_changes.html?moved=1' but the page is at '{site}late_changes.html'",
    "title": "expected title 'Changed title' but found 'Late changes'",
}


@pytest.mark.parametrize("kind", list(MESSAGES))
def test_it_fails_a_wait_that_never_holds_with_the_same_message(run, site, kind):
    # arm() with a delay far beyond the timeout: the condition never holds during the step.
    started = time.monotonic()
    result = run([{"action": "evaluate", "script": f"arm('{kind}', 'm', 60000)"},
                  wait_step(kind, "m", site)], page=PAGE, last_timeout_ms=TIMEOUT_MS)
    message = assert_failed_at(result, 2, MESSAGES[kind].format(site=site))
    assert message.endswith(MESSAGES[kind].format(site=site)), message
    assert result.steps[2].duration_ms >= TIMEOUT_MS - 50, "it gave up before its timeout"
    assert time.monotonic() - started < 10
