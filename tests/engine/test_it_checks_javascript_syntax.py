"""Scripts of evaluate steps and wait_for expressions get a quick syntax check on save and in
the editor as the user types (the same check): unbalanced brackets, unterminated strings,
templates, comments and regular expressions are refused with where; valid modern JavaScript
(optional chaining, regex literals, nested templates, division) is never refused."""

from __future__ import annotations

import pytest

from traceiq_app.engine.script_syntax import js_problem
from traceiq_app.services.catalog.test_cases import validate_parts
from traceiq_app.state.catalog.editor_forms import new_step, step_to_view, validate_views

VALID = ["() => document.title", "window.x?.y ?? 3", "a / b / c", "const r = /[(]/g; return r.test('(')",
         "`a ${b + `c ${d}`} e`", "return x.split('/').map(s => s[0])", "// comment (\n1", "/* ( */ 2",
         "if (a) { b(); } else { c(); }", "x = y / 2 + (z) / 3", "'it\\'s'", "[1,2].map(x => ({x}))",
         "document.querySelector('div[data-x=\"(\"]')", "localStorage.setItem('user', '${USER}')"]
INVALID = [("this is not ) valid js", "unexpected ')' at character 13"),
           ("foo(", "unclosed '(' opened at character 4"),
           ("'unterminated", "unterminated string starting at character 1"),
           ("`tmpl", "unterminated template literal starting at character 1"),
           ("a = {b: [1, 2}", "unexpected '}' at character 14"),
           ("/* never", "unterminated comment starting at character 1")]


@pytest.mark.parametrize("source", VALID)
def test_it_accepts_valid_javascript(source: str) -> None:
    assert js_problem(source) is None


@pytest.mark.parametrize(("source", "problem"), INVALID)
def test_it_locates_the_first_syntax_error(source: str, problem: str) -> None:
    assert js_problem(source) == problem


def test_it_refuses_invalid_scripts_on_save_and_in_the_editor() -> None:
    found = validate_parts("t", [{"action": "evaluate", "script": "this is not ) valid js"},
                                 {"action": "wait_for", "expression": "window.ready && (done"}])
    assert [(p.step, p.field, p.message) for p in found] == [
        (0, "script", "invalid JavaScript: unexpected ')' at character 13"),
        (1, "expression", "invalid JavaScript: unclosed '(' opened at character 17")]
    view = step_to_view(new_step("evaluate"))
    next(f for f in view.fields if f.key == "script").value = "this is not ) valid js"
    validate_views([view], "t")
    assert next(f for f in view.fields if f.key == "script").error == "invalid JavaScript: unexpected ')' at character 13"
