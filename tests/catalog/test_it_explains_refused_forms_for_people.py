"""A refused form says which field is wrong and what the problem is, in words for people
("name: at most 200 characters", never "String should have at most 200 characters" or a
parser's raw text), and the page keeps what the user typed (the state marks the field; the
browser side is in tests/catalog/test_it_keeps_typed_values_on_refusal.py)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, Field, ValidationError

from tests.app.test_states_refuse_other_orgs import _cookie, _state
from traceiq_app.services.catalog import environments, projects
from traceiq_app.services.catalog.projects import Invalid
from traceiq_app.services.platform.human_errors import human_problems
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.state.catalog.environments import EnvironmentsState
from traceiq_app.state.catalog.projects import ProjectsState


class _Form(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    retries: int = Field(1, ge=1, le=5)
    base_url: str | None = None
    headers: dict[str, str] = {}


@pytest.mark.parametrize(("data", "expected"), [
    ({"name": "x" * 201}, "name: at most 200 characters"),
    ({"name": ""}, "name: required"),
    ({}, "name: required"),
    ({"name": "ok", "retries": 0}, "retries: must be at least 1"),
    ({"name": "ok", "retries": 9}, "retries: must be at most 5"),
    ({"name": "ok", "retries": "three"}, "retries: must be a whole number"),
    ({"name": "ok", "base_url": 5}, "base URL: must be text"),
    ({"name": "ok", "headers": "X-A: 1"}, "headers: must be a mapping (NAME: value)"),
])
def test_it_phrases_validation_errors_for_people(data: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _Form.model_validate(data)
    assert human_problems(caught.value) == [expected]


def test_it_phrases_invalid_json_without_parser_text() -> None:
    with pytest.raises(ValidationError) as caught:
        _Form.model_validate_json('{"name": "ok",')
    assert human_problems(caught.value) == ["is not valid JSON"]


def test_it_refuses_a_too_long_project_name_in_words(personas) -> None:  # type: ignore[no-untyped-def]
    actor = Principal(user_id=personas.alice.id, email=personas.alice.email)
    with pytest.raises(Invalid) as caught:
        projects.create_project(actor, personas.acme.id, "p" * 201)
    assert caught.value.message == "name: at most 200 characters"


def test_it_marks_the_refused_project_field(personas) -> None:  # type: ignore[no-untyped-def]
    state = _state(ProjectsState, _cookie(personas.alice.id), "/projects")
    state.load()
    state.create_project({"name": "p" * 201, "slug": "", "org_id": str(personas.acme.id)})
    assert (state.create_field, state.create_error) == ("name", "name: at most 200 characters")
    state.create_project({"name": "Shop", "slug": "Not A Slug!", "org_id": str(personas.acme.id)})
    assert state.create_field == "slug" and "slug:" in state.create_error
    assert "should" not in state.create_error


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"name": "staging", "base_url": "staging.example.test", "variables": "", "secrets": ""}, "base_url",
     "base URL: must start with http:// or https:// followed by a host"),
    ({"name": "staging", "base_url": "", "variables": "USER=qa\nno equals sign", "secrets": ""}, "variables",
     "variables, line 2: write NAME=value"),
    ({"name": "s" * 101, "base_url": "", "variables": "", "secrets": ""}, "name", "name: at most 100 characters"),
])
def test_it_marks_the_refused_environment_field_and_keeps_the_form(personas, form, field, message) -> None:  # type: ignore[no-untyped-def]
    state = _state(EnvironmentsState, _cookie(personas.alice.id), f"/projects/{personas.project.id}/environments")
    state.load()
    events = state.create_environment(form)
    assert (state.form_env, state.form_field, state.form_error) == ("new", field, message)
    assert "set_value" not in str(events)  # nothing cleared: the user fixes the field and submits again
    assert environments.list_environments(personas.project.id) == []
    state.create_environment({**form, "name": "staging", "base_url": "https://staging.example.test", "variables": ""})
    assert (state.form_env, state.form_error) == ("", "")
    assert [e.name for e in environments.list_environments(personas.project.id)] == ["staging"]
