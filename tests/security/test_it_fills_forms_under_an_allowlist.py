"""With an allowlist, a page with a form is filled and sent like anywhere else: the browser's own
background calls (autofill's server lookups) are switched off, so they are neither made nor
blocked into a failed step."""

from __future__ import annotations

from traceiq_app.engine.results import RunOptions


def test_it_fills_and_sends_a_form_under_an_allowlist(run) -> None:  # type: ignore[no-untyped-def]
    steps = [{"action": "fill", "target": [{"label": "Full name"}], "value": "Alice Example"},
             {"action": "fill", "target": [{"label": "Email"}], "value": "alice@example.com"},
             {"action": "fill", "target": [{"label": "Street"}], "value": "1 Main Street"},
             {"action": "click", "target": [{"role": "button", "name": "Pay"}]},
             {"action": "assert_text", "target": [{"css": "#done"}], "expected": "sent"},
             {"action": "evaluate", "script": "new Promise(r => setTimeout(() => r(1), 1500))"},  # time for any
             # background request to be refused
             {"action": "assert_title", "expected": "Checkout form"}]
    result = run(steps, page="form.html", options=RunOptions(allowed_hosts=["127.0.0.1"]))
    assert result.status == "passed", (result.error, [s.error for s in result.steps])
