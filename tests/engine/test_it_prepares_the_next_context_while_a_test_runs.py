"""Issue 20: `Engine.run(..., then=(test, options))` makes the next test's context and page
while the current test runs; `run` of that very test adopts them (same guard, same proxy, a
fresh context that shares nothing with the previous test), anything else discards them."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.engine.helpers import assert_passed
from traceiq_app.engine.model import TestDefinition
from traceiq_app.engine.results import RunOptions


def _test(site: str, steps: list[dict], name: str = "t") -> TestDefinition:
    # index.html: on a page with a form, Chromium asks content-autofill.googleapis.com, which an
    # allowlist refuses (the same without a prepared context)
    return TestDefinition.model_validate({"name": name, "steps": [{"action": "goto", "url": site + "index.html"},
                                                                   *steps]})


def test_it_adopts_the_prepared_context_with_fresh_state(engine, site):
    first = _test(site, [{"action": "evaluate", "script": "localStorage.setItem('k', 'first'); 1"}], "first")
    second = _test(site, [{"action": "evaluate", "script": "localStorage.getItem('k')", "variable": "seen"}],
                   "second")
    options_1, options_2 = RunOptions(), RunOptions()
    assert_passed(engine.run(first, options_1, then=(second, options_2)))
    assert engine._prepared.warm is not None and engine._prepared.warm.test is second  # made while `first` ran
    result = engine.run(second, options_2)
    assert_passed(result)
    assert engine._prepared.warm is None
    assert result.variables["seen"] == "null"  # a context of its own: nothing of the first test


def test_it_discards_a_prepared_context_another_test_does_not_use(engine, site):
    prepared, other = _test(site, [], "prepared"), _test(site, [], "other")
    assert_passed(engine.run(_test(site, [], "first"), RunOptions(), then=(prepared, RunOptions())))
    warm = engine._prepared.warm
    assert warm is not None
    assert_passed(engine.run(other, RunOptions()))  # not the prepared test: made as usual
    assert engine._prepared.warm is None
    assert warm.egress._closed  # the prepared context's proxy was stopped


def test_it_still_blocks_what_the_rules_refuse_in_a_prepared_context(engine, site):
    outside = f"http://localhost:{urlsplit(site).port}/"
    options = RunOptions(allowed_hosts=["127.0.0.1"])
    blocked = _test(site, [{"action": "evaluate",
                            "script": f"document.body.innerHTML = '<img src=\"{outside}index.html?img\">'; 1"},
                           {"action": "wait_for", "ms": 300}], "blocked")
    assert_passed(engine.run(_test(site, [], "first"), RunOptions(), then=(blocked, options)))
    result = engine.run(blocked, options)
    assert result.status == "failed"
    assert f"request to {outside}index.html?img (image) blocked" in (result.error or "")
