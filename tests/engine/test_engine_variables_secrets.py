"""${VAR} substitution (test < run < secrets < extracted), unknown names, masking of secrets."""

from __future__ import annotations

import pytest

from tests.engine.helpers import Recorder, assert_passed
from traceiq_app.engine.errors import VariableError
from traceiq_app.engine.results import RunOptions
from traceiq_app.engine.variables import MASK, Masker, Variables


def test_it_layers_variables_test_then_run_then_secrets():
    values = Variables({"A": "test", "B": "test", "C": "test"}, {"B": "run", "C": "run"}, {"C": "secret"})
    assert values.substitute("${A}/${B}/${C}") == "test/run/secret"
    assert values.substitute("$${A} stays") == "${A} stays"
    with pytest.raises(VariableError, match=r"unknown variable \$\{D\} \(known: A, B, C\)"):
        values.substitute("${D}")


def test_it_masks_every_secret_value_longest_first():
    masker = Masker(["hunter2", "hunter2-admin", "x", ""])
    assert masker("pw hunter2-admin and hunter2, x") == f"pw {MASK} and {MASK}, x"
    assert Masker(["p@ss w"])("GET /?t=p%40ss%20w and t=p%40ss+w") == f"GET /?t={MASK} and t={MASK}"
    # A name listed in the test's secrets is masked even when its value comes from variables.
    assert Variables({"PW": "s3cr3t"}, {}, {}, ["PW"]).masker("is s3cr3t") == f"is {MASK}"


def test_it_substitutes_variables_in_every_step_field_at_run_time(run, site):
    result = run([
        {"action": "fill", "target": {"css": "#${FIELD}"}, "value": "${USER}"},
        {"action": "click", "target": {"role": "button", "name": "${BUTTON}"}},
        {"action": "assert_text", "target": {"css": "#greeting"}, "expected": "Welcome, ${USER}"},
        {"action": "extract", "target": {"css": "#greeting"}, "variable": "GREETING"},
        {"action": "extract", "target": {"css": "#user"}, "variable": "TYPED", "source": "value"},
        {"action": "extract", "target": {"css": "#submit"}, "variable": "KIND", "source": "attribute",
         "attribute": "data-kind"},
        {"action": "fill", "target": {"css": "#notes"}, "value": "${GREETING}|${TYPED}|${KIND}"},
        {"action": "assert_value", "target": {"css": "#notes"}, "expected": "Welcome, carol|carol|primary"},
        {"action": "evaluate", "script": "[1, 2].length", "variable": "N"},
        {"action": "assert_count", "target": {"css": "#list li"}, "expected": 3, "name": "has ${N}+ items",
         "operator": ">="},
        {"action": "goto", "url": "${PAGE}"},
    ], variables={"FIELD": "user", "USER": "alice", "BUTTON": "Sign in", "PAGE": "next.html"},
        options=RunOptions(variables={"USER": "carol"}), base_url=site)
    assert_passed(result)
    assert result.variables == {"GREETING": "Welcome, carol", "TYPED": "carol", "KIND": "primary", "N": "2"}
    assert result.steps[10].name == "has 2+ items"


def test_it_errors_at_the_step_using_an_unknown_variable(run):
    result = run([
        {"action": "fill", "target": {"css": "#user"}, "value": "ok"},
        {"action": "fill", "target": {"css": "#pass"}, "value": "${PASSWORD}"},
        {"action": "click", "target": {"css": "#submit"}},
    ], variables={"USER": "u"})
    assert result.status == "error"
    assert result.failed_step == 2
    assert result.error == "step 3 (fill): unknown variable ${PASSWORD} (known: USER)"
    assert [s.status for s in result.steps] == ["passed", "passed", "failed", "skipped"]


def test_it_errors_on_an_unknown_variable_in_headers(run):
    result = run([{"action": "assert_title", "expected": "Login form"}], headers={"X-Token": "${TOKEN}"})
    assert result.status == "error"
    assert result.error == "unknown variable ${TOKEN} (known: none)"
    assert [s.status for s in result.steps] == ["skipped", "skipped"]


def test_it_never_shows_a_secret_in_errors_names_results_or_reports(run):
    secret = "pa55-w0rd!"
    recorder = Recorder([])
    result = run([
        {"action": "fill", "target": {"css": "#pass"}, "value": "${PASSWORD}", "name": "type ${PASSWORD}"},
        {"action": "extract", "target": {"css": "#pass"}, "variable": "COPY", "source": "value"},
        {"action": "evaluate", "script": "document.title = '${PASSWORD}'"},
        {"action": "evaluate", "script": "console.error('leaked ${PASSWORD}')"},
        {"action": "assert_value", "target": {"css": "#pass"}, "expected": "${PASSWORD}x", "timeout_ms": 500,
         "continue_on_failure": True},
        {"action": "assert_title", "expected": "nope", "timeout_ms": 500, "name": "title is not ${PASSWORD}"},
    ], options=RunOptions(secrets={"PASSWORD": secret}), reporter=recorder, name="login as ${PASSWORD}")
    assert result.status == "failed"
    assert result.steps[5].error == f"step 6 (assert_value): expected value '{MASK}x' but found '{MASK}' in css=\"#pass\""
    assert result.steps[6].error == f"step 7 (assert_title): expected title 'nope' but found '{MASK}'"
    assert result.steps[1].name == f"type {MASK}"
    assert result.variables == {"COPY": MASK}
    assert result.steps[4].console_errors == [f"leaked {MASK}"]
    assert secret not in repr(result.to_dict())
    assert secret not in repr(recorder.events)
