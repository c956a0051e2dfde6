"""The editor's form model: every step action has a form, steps survive a round trip through
the form unchanged, and validation lands on the field (or locator alternative) at fault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from traceiq_app.engine.importers import from_recorder
from traceiq_app.engine.model import STEP_ACTIONS
from traceiq_app.state.catalog import editor_forms as ef

RECORDER = Path(__file__).resolve().parents[1] / "fixture_recorder"


def test_every_action_has_a_form_with_typed_fields() -> None:
    specs = ef.action_specs()
    assert set(specs) == set(STEP_ACTIONS) and len(specs) == 40
    kinds = {f.kind for spec in specs.values() for f in spec.fields}
    assert kinds == {"text", "textarea", "number", "bool", "select", "lines", "json"}
    assert specs["drag_and_drop"].targets == (("source", True), ("target", True))
    assert specs["wait_for"].targets == (("target", False),)
    goto = {f.key: f for f in specs["goto"].fields}
    assert goto["url"].required and goto["wait_until"].options[0] == "load"
    for action in STEP_ACTIONS:
        view = ef.step_to_view(ef.new_step(action))
        assert view.action == action and not view.error


@pytest.mark.parametrize("flow", sorted(p.name for p in RECORDER.glob("*.json") if "unsupported" not in p.name))
def test_imported_steps_survive_the_form_unchanged(flow: str) -> None:
    definition = from_recorder(json.loads((RECORDER / flow).read_text()), source=flow)
    steps = [s.model_dump(mode="json", exclude_defaults=True) for s in definition.steps]
    views = [ef.step_to_view(s) for s in steps]
    assert ef.validate_views(views, definition.name) == []
    assert ef.views_to_steps(views) == steps


def test_errors_land_on_the_field_and_the_alternative() -> None:
    views = [
        ef.step_to_view({"action": "goto"}),
        ef.step_to_view({"action": "click", "target": [{"css": "#ok"}, {"css": ""}]}),
        ef.step_to_view({"action": "fill", "target": [{"label": "Email"}], "value": "x", "timeout_ms": 5}),
    ]
    views[2].fields[[f.key for f in views[2].fields].index("timeout_ms")].value = "soon"
    problems = ef.validate_views(views, "T")
    assert {(p.step, p.field) for p in problems} == {(0, "url"), (1, "target.1"), (2, "timeout_ms")}
    assert next(f for f in views[0].fields if f.key == "url").error == "required"
    assert views[1].targets[0].alternatives[1].error == "enter a CSS selector to find the element"
    assert next(f for f in views[2].fields if f.key == "timeout_ms").error == "enter a number"
    assert [v.problems for v in views] == [1, 1, 1]


def test_changing_the_action_keeps_what_still_applies() -> None:
    view = ef.step_to_view({"action": "click", "target": [{"role": "button", "name": "Go"}], "name": "press go"})
    changed = ef.change_action(view, "hover")
    assert ef.views_to_steps([changed]) == [{"action": "hover", "target": [{"role": "button", "name": "Go"}],
                                             "name": "press go"}]
    assert ef.views_to_steps([ef.change_action(view, "goto")]) == [{"action": "goto", "name": "press go"}]
