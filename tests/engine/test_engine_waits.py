"""wait_for in all its forms, auto-waiting on late content, step and test timeouts."""

from __future__ import annotations

import time

import pytest

from tests.engine.helpers import assert_failed_at, assert_passed


def test_it_waits_for_late_content_without_sleeps(run, site):
    result = run([
        {"action": "assert_text", "target": {"css": "#late"}, "expected": "Loaded late"},
        {"action": "wait_for", "target": {"css": "#spinner"}, "state": "detached"},
        {"action": "wait_for", "target": {"css": "#spinner"}, "state": "hidden"},
        {"action": "wait_for", "target": {"css": "#late"}},
        {"action": "wait_for", "target": {"css": "#late"}, "state": "attached"},
        {"action": "wait_for", "target": {"css": ".row"}, "count": 3, "operator": "=="},
        {"action": "wait_for", "target": {"css": ".row"}, "count": 2},
        {"action": "wait_for", "target": {"css": ".row"}, "count": 3, "operator": "<=", "state": "attached"},
        {"action": "click", "target": {"css": "#late-btn"}},
        {"action": "wait_for", "target": {"css": "#late"}, "attributes": {"data-state": "done"}},
        {"action": "wait_for", "target": {"css": "#late"}, "properties": {"id": "late"}},
        {"action": "wait_for", "expression": "window.lateDone === true"},
        {"action": "wait_for", "load_state": "networkidle"},
        {"action": "wait_for", "url": "**/delayed.html"},
        {"action": "wait_for", "ms": 10},
    ], page="delayed.html")
    assert_passed(result)


@pytest.mark.parametrize(("step", "fragments"), [
    ({"action": "wait_for", "target": {"css": "#nothing"}}, ['no element matches css="#nothing"']),
    ({"action": "wait_for", "target": {"css": "#hidden"}}, ['css="#hidden" exists but did not become visible']),
    ({"action": "wait_for", "target": {"css": "#greeting"}, "state": "hidden"},
     ['css="#greeting" did not become hidden']),
    ({"action": "wait_for", "target": {"css": "#greeting"}, "state": "detached"},
     ['css="#greeting" did not become detached']),
    ({"action": "wait_for", "target": {"css": "#list li"}, "count": 5},
     ['expected >= 5 elements matching css="#list li" but found 3']),
    ({"action": "wait_for", "target": {"css": "#submit"}, "attributes": {"data-kind": "x"}},
     ["attribute data-kind of css=\"#submit\" is 'primary', not 'x'"]),
    ({"action": "wait_for", "target": {"css": "#user"}, "properties": {"value": "x"}},
     ["property value of css=\"#user\" is '', not 'x'"]),
    ({"action": "wait_for", "url": "**/elsewhere.html"}, ["the URL did not become '**/elsewhere.html' (it is 'http://"]),
    ({"action": "wait_for", "expression": "window.neverTrue === 1"},
     ["expression 'window.neverTrue === 1' did not become true"]),
    ({"action": "wait_for", "ms": 5000}, ["wait of 5000 ms is longer than the step timeout"]),
], ids=lambda v: "-".join(k for k in v if k not in ("action",)) if isinstance(v, dict) else "")
def test_it_fails_a_wait_that_never_happens(run, step, fragments):
    result = run([step], last_timeout_ms=1500)
    assert_failed_at(result, 1, *fragments)


def test_it_gives_each_step_its_own_timeout(run):
    started = time.monotonic()
    result = run([{"action": "click", "target": {"css": "#never"}, "timeout_ms": 300},
                  {"action": "click", "target": {"css": "#never"}}], step_timeout_ms=20_000)
    assert_failed_at(result, 1, 'no element matches css="#never" (waited 0.3 s)')
    assert time.monotonic() - started < 10


def test_it_stops_at_the_whole_test_timeout(run):
    result = run([{"action": "wait_for", "expression": "false"}, {"action": "click", "target": {"css": "#submit"}}],
                 step_timeout_ms=20_000, timeout_ms=3000)
    message = assert_failed_at(result, 1, "did not become true", "the test timeout of 3000 ms was reached")
    assert result.duration_ms < 10_000, message
    assert result.steps[2].status == "skipped"


def test_it_goes_on_after_a_soft_failure_and_fails_the_test_at_the_first_one(run):
    result = run([
        {"action": "assert_text", "target": {"css": "#greeting"}, "expected": "nope", "continue_on_failure": True,
         "timeout_ms": 500},
        {"action": "assert_title", "expected": "wrong", "continue_on_failure": True, "timeout_ms": 500},
        {"action": "fill", "target": {"css": "#user"}, "value": "bob"},
        {"action": "click", "target": {"css": "#missing"}, "timeout_ms": 500},
        {"action": "click", "target": {"css": "#submit"}},
    ])
    assert result.status == "failed"
    assert result.failed_step == 1
    assert [s.status for s in result.steps] == ["passed", "failed", "failed", "passed", "failed", "skipped"]
    assert result.error == result.steps[1].error


def test_it_allows_a_fixed_wait_longer_than_half_the_step_timeout(run):
    # Regression: the budget was checked after waiting, when it had shrunk by the wait itself.
    result = run([{"action": "wait_for", "ms": 1000, "timeout_ms": 1500}])
    assert_passed(result)


def test_it_checks_attributes_and_properties_of_every_counted_element(run):
    # As @puppeteer/replay's waitForElement: the count holds AND every match has them.
    result = run([
        {"action": "wait_for", "target": {"css": ".row"}, "count": 3, "operator": "==",
         "attributes": {"class": "row"}, "properties": {"className": "row", "dataset": {}}},
        {"action": "click", "target": {"css": "#late-btn"}},
        {"action": "wait_for", "target": {"css": "#late"}, "count": 1, "attributes": {"data-state": "done"},
         "properties": {"dataset": {"state": "done"}}},
    ], page="delayed.html")
    assert_passed(result)


@pytest.mark.parametrize("extra", [{"attributes": {"data-x": "y"}}, {"properties": {"textContent": "row 0"}}])
def test_it_fails_a_count_wait_when_a_match_lacks_the_attributes(run, extra):
    result = run([
        {"action": "wait_for", "target": {"css": ".row"}, "count": 3, "operator": "=="},
        {"action": "wait_for", "target": {"css": ".row"}, "count": 2, **extra},
    ], page="delayed.html", last_timeout_ms=1000)
    key, value = next(iter(next(iter(extra.values())).items()))
    kind = "attribute" if "attributes" in extra else "property"
    assert_failed_at(result, 2, f"expected >= 2 elements matching css=\".row\", each with {kind} {key}='{value}'",
                     "but found 3 (" + ("3" if kind == "attribute" else "2") + " without)")
