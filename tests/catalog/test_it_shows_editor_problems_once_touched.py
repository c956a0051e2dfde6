"""A blank new test does not open with "2 problem(s) to fix": a field's problem shows once the
user touched that field's step (or the name), and every problem shows after a save attempt.
An existing test shows its problems at once."""

from __future__ import annotations

from tests.app.test_states_refuse_other_orgs import _cookie, _state
from traceiq_app.services.catalog import test_cases
from traceiq_app.state.catalog.editor import EditorState


def _new_test(personas) -> EditorState:  # type: ignore[no-untyped-def]
    state = _state(EditorState, _cookie(personas.alice.id), f"/projects/{personas.project.id}/tests/new")
    state.load()
    return state


def test_it_opens_a_blank_test_without_errors(personas) -> None:  # type: ignore[no-untyped-def]
    state = _new_test(personas)
    assert state.problems == [] and state.name_error == ""
    assert state.hidden_problems == 2  # the name and the first step's URL, not shown yet
    assert [f.error for f in state.steps[0].fields] == ["" for _ in state.steps[0].fields]


def test_it_shows_a_problem_once_its_field_is_touched(personas) -> None:  # type: ignore[no-untyped-def]
    state = _new_test(personas)
    state.set_name("x")
    state.set_name("")
    assert state.name_error == "give the test a name" and state.problems == ["name: give the test a name"]
    state.set_field(0, "url", "/a")
    state.set_field(0, "url", "")
    url = next(f for f in state.steps[0].fields if f.key == "url")
    assert url.error == "required" and len(state.problems) == 2 and state.hidden_problems == 0
    state.set_add_action("click")
    state.add_step()  # a new step is not touched yet
    assert len(state.problems) == 2 and state.hidden_problems == 1


def test_it_shows_every_problem_after_a_save_attempt(personas) -> None:  # type: ignore[no-untyped-def]
    state = _new_test(personas)
    state.save()
    assert len(state.problems) == 2 and state.hidden_problems == 0
    assert next(f for f in state.steps[0].fields if f.key == "url").error == "required"


def test_it_shows_the_problems_of_a_saved_test_at_once(personas) -> None:  # type: ignore[no-untyped-def]
    case = test_cases.create_test_case(personas.project.id, "Pay", [{"action": "goto", "url": "/pay"}])
    state = _state(EditorState, _cookie(personas.alice.id), f"/tests/{case.id}")
    state.load()
    state.set_field(0, "url", "")
    state.set_add_action("click")
    state.add_step()
    assert len(state.problems) == 2 and state.hidden_problems == 0
