"""Custom fields per project: definitions refused with human messages; values validated on the
server for each kind, every problem reported at once; test cases keep their own values."""

from __future__ import annotations

import pytest

from tests.factories import Personas, make_test_case
from traceiq_app.services.catalog.projects import Invalid
from traceiq_app.services.defects import custom_fields, defects


def test_it_validates_definitions_and_values(personas: Personas) -> None:
    pid = personas.project.id
    with pytest.raises(Invalid, match="Options: a select field needs at least one option"):
        custom_fields.create_field(pid, "defect", "Customer", "select", "")
    with pytest.raises(Invalid, match="Type: choose one of"):
        custom_fields.create_field(pid, "defect", "Customer", "colour")
    custom_fields.create_field(pid, "defect", "Customer", "select", "Acme, Globex", required=True)
    custom_fields.create_field(pid, "defect", "Story points", "number")
    custom_fields.create_field(pid, "defect", "Found on", "date")
    custom_fields.create_field(pid, "defect", "Areas", "multiselect", "cart, search, login")
    custom_fields.create_field(pid, "defect", "Notes", "text")
    with pytest.raises(Invalid, match="already a field called 'Customer'"):
        custom_fields.create_field(pid, "defect", "customer", "text")

    with pytest.raises(Invalid) as exc:
        defects.create(pid, personas.alice.id, {"title": "Bad values", "custom": {
            "customer": "Initech", "story_points": "three", "found_on": "31/12/2026", "areas": "cart, billing",
            "notes": "x" * 1001}})
    assert exc.value.problems == [
        "Customer: choose one of Acme, Globex.",
        "Story points: 'three' is not a number.",
        "Found on: '31/12/2026' is not a date (use YYYY-MM-DD).",
        "Areas: billing is not one of cart, search, login.",
        "Notes: at most 1000 characters (this is 1001).",
    ]
    with pytest.raises(Invalid, match=r"^Customer: required\.$"):
        defects.create(pid, personas.alice.id, {"title": "Missing", "custom": {}})

    made = defects.create(pid, personas.alice.id, {"title": "Good values", "custom": {
        "customer": "Acme", "story_points": "3", "found_on": "2026-11-27", "areas": "cart, search"}})
    assert made.custom == {"customer": "Acme", "story_points": 3, "found_on": "2026-11-27",
                           "areas": ["cart", "search"]}
    defects.update(pid, defects.key_of(made), personas.bob.id, {"custom": {**made.custom, "customer": "Globex"}})
    from traceiq_app.services.defects import listing

    changes = [e for e in listing.view(pid, defects.key_of(made))["history"] if e["field"] == "custom:customer"]
    assert [(c["who"], c["old"], c["new"]) for c in changes] == [("Bob", "Acme", "Globex")]


def test_test_cases_keep_their_values(personas: Personas) -> None:
    from sqlmodel import Session

    from traceiq_app.db import get_engine

    pid = personas.project.id
    custom_fields.create_field(pid, "test", "Component", "select", "checkout, search")
    with Session(get_engine(), expire_on_commit=False) as s:
        case = make_test_case(s, personas.project, "Pay by card")
        s.commit()
    with pytest.raises(Invalid, match="Component: choose one of checkout, search"):
        custom_fields.set_test_values(pid, case.id, {"component": "billing"})
    custom_fields.set_test_values(pid, case.id, {"component": "checkout"})
    assert custom_fields.test_values(pid, case.id) == {"component": "checkout"}
