"""Custom fields can be renamed (values kept under the same key), given other options (an option
still in use is refused, naming it and how many items use it), made required or optional, and
moved up or down; every bad input is refused with the field named, the page keeps what was
typed; only admins may do it."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.accounts.matrix_support import session_cookie, state_for
from tests.factories import Personas, make_test_case
from traceiq_app.db import get_engine
from traceiq_app.services.catalog.projects import Invalid
from traceiq_app.services.defects import custom_fields, defects, listing
from traceiq_app.state.defects.fields import CustomFieldsState


def _field(pid, label):  # type: ignore[no-untyped-def]
    return next(f for f in custom_fields.list_fields(pid) if f.label == label)


def test_it_renames_and_changes_options_and_required(personas: Personas) -> None:
    pid = personas.project.id
    customer = custom_fields.create_field(pid, "defect", "Customer", "select", "Acme, Globex, Initech")
    custom_fields.create_field(pid, "defect", "Notes", "text")
    for title, who in (("One", "Globex"), ("Two", "Globex"), ("Three", "Acme")):
        defects.create(pid, personas.alice.id, {"title": title, "custom": {"customer": who}})

    renamed = custom_fields.update_field(pid, customer.id, label="Client", options="Acme, Globex, Umbrella",
                                         required=True)
    assert (renamed.label, renamed.key, renamed.options, renamed.required) == \
        ("Client", "customer", ["Acme", "Globex", "Umbrella"], True)  # Initech was unused: gone
    assert listing.view(pid, "DEF-1")["custom_rows"][0] == {"key": "customer", "label": "Client", "kind": "select",
                                                           "options": "Acme, Globex, Umbrella", "value": "Globex"}
    with pytest.raises(Invalid, match=r"^Client: required\.$"):
        defects.create(pid, personas.alice.id, {"title": "No client"})
    custom_fields.update_field(pid, customer.id, required=False)
    defects.create(pid, personas.alice.id, {"title": "No client"})


def test_it_refuses_removing_options_in_use(personas: Personas) -> None:
    pid = personas.project.id
    areas = custom_fields.create_field(pid, "defect", "Areas", "multiselect", "cart, search, login")
    defects.create(pid, personas.alice.id, {"title": "A", "custom": {"areas": ["cart", "search"]}})
    defects.create(pid, personas.alice.id, {"title": "B", "custom": {"areas": ["cart"]}})
    with pytest.raises(Invalid) as exc:
        custom_fields.update_field(pid, areas.id, options="login")
    assert exc.value.problems == [
        "Options: 'cart' is still used by 2 defects; change them to another option first, or keep it.",
        "Options: 'search' is still used by 1 defect; change it to another option first, or keep it.",
    ]
    assert _field(pid, "Areas").options == ["cart", "search", "login"]

    component = custom_fields.create_field(pid, "test", "Component", "select", "checkout, profile")
    with Session(get_engine(), expire_on_commit=False) as s:
        case = make_test_case(s, personas.project, "Pay by card")
        s.commit()
    custom_fields.set_test_values(pid, case.id, {"component": "checkout"})
    with pytest.raises(Invalid, match=r"^Options: 'checkout' is still used by 1 test case;"):
        custom_fields.update_field(pid, component.id, options="profile")
    custom_fields.update_field(pid, component.id, options="checkout, profile, search")


@pytest.mark.parametrize(("change", "message"), [
    ({"label": ""}, "Label: give the field a name (up to 100 characters)."),
    ({"label": "x" * 101}, "Label: give the field a name (up to 100 characters)."),
    ({"label": "notes"}, "Label: there is already a field called 'Notes'."),
    ({"options": " , "}, "Options: a select field needs at least one option (comma-separated)."),
    ({"options": "Acme"}, "Options: 'Globex' is still used by 1 defect; change it to another option first, or keep it."),
])
def test_it_refuses_bad_edits_and_keeps_the_input(personas: Personas, change: dict, message: str) -> None:  # type: ignore[type-arg]
    pid = personas.project.id
    field = custom_fields.create_field(pid, "defect", "Customer", "select", "Acme, Globex")
    custom_fields.create_field(pid, "defect", "Notes", "text")
    defects.create(pid, personas.alice.id, {"title": "One", "custom": {"customer": "Globex"}})
    state = state_for(CustomFieldsState, session_cookie(personas.alice.id), path=f"/projects/{pid}/custom-fields")
    state.pid = str(pid)
    state.load()
    state.start_edit(str(field.id))
    assert (state.edit_label, state.edit_options, state.edit_select) == ("Customer", "Acme, Globex", True)
    form = {"label": "Customer", "options": "Acme, Globex", **change}
    state.save_edit(form)
    assert state.edit_error == message
    assert (state.edit_label, state.edit_options) == (form["label"], form["options"])  # kept as typed
    assert state.edit_id == str(field.id)
    stored = _field(pid, "Customer")
    assert (stored.label, stored.options) == ("Customer", ["Acme", "Globex"])


def test_text_fields_have_no_options(personas: Personas) -> None:
    pid = personas.project.id
    notes = custom_fields.create_field(pid, "defect", "Notes", "text")
    with pytest.raises(Invalid, match=r"^Options: only select fields have options \(Notes is Text\)\.$"):
        custom_fields.update_field(pid, notes.id, options="a, b")


def test_it_moves_fields_up_and_down(personas: Personas) -> None:
    pid = personas.project.id
    for label in ("First", "Second", "Third"):
        custom_fields.create_field(pid, "defect", label, "text")
    custom_fields.create_field(pid, "test", "Component", "text")
    state = state_for(CustomFieldsState, session_cookie(personas.alice.id), path=f"/projects/{pid}/custom-fields")
    state.pid = str(pid)
    state.load()
    third = next(r for r in state.rows if r["label"] == "Third")
    assert third["last"] == "1" and third["first"] == ""
    state.move(third["id"], "up")
    assert [f.label for f in custom_fields.list_fields(pid, "defect")] == ["First", "Third", "Second"]
    state.move(third["id"], "up")
    state.move(third["id"], "up")  # already first: nothing moves
    assert [f.label for f in custom_fields.list_fields(pid, "defect")] == ["Third", "First", "Second"]
    state.move(next(r["id"] for r in state.rows if r["label"] == "First"), "down")
    assert [f.label for f in custom_fields.list_fields(pid, "defect")] == ["Third", "Second", "First"]
    assert [f.label for f in custom_fields.list_fields(pid, "test")] == ["Component"]
    with pytest.raises(Invalid, match="^Direction: up or down"):
        custom_fields.move_field(pid, third["id"], "sideways")


def test_only_admins_edit_or_move(personas: Personas) -> None:
    pid = personas.project.id
    field = custom_fields.create_field(pid, "defect", "Customer", "select", "Acme")
    bob = state_for(CustomFieldsState, session_cookie(personas.bob.id), path=f"/projects/{pid}/custom-fields")
    bob.pid = str(pid)
    bob.load()
    assert bob.can_admin is False
    bob.edit_id = str(field.id)  # a crafted tab
    bob.save_edit({"label": "Hacked", "options": "Acme"})
    assert bob.edit_error.startswith("'custom_field.write' needs the admin role")
    bob.move(str(field.id), "down")
    assert _field(pid, "Customer").label == "Customer"
