# mypy: disable-error-code="operator"
"""/projects/<id>/custom-fields: custom fields on test cases and defects (admins add, edit,
reorder and remove them)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.analytics.bits import scroll_x, truncated
from traceiq_app.components.catalog.catalog_bits import error_callout, field_error, project_nav
from traceiq_app.components.defects.bits import LABEL, native_select
from traceiq_app.components.layout import app_shell
from traceiq_app.services.defects.custom_fields import KIND_LABELS
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.defects.fields import CustomFieldsState

S = CustomFieldsState


def _row(f: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(f["applies_to"]), rx.table.cell(truncated(f["label"], max_width="16em")),
        rx.table.cell(f["kind"]), rx.table.cell(truncated(f["options"], max_width="18em")),
        rx.table.cell(f["required"]),
        rx.table.cell(rx.cond(S.can_admin, rx.hstack(
            rx.icon_button(rx.icon("arrow-up", size=14), size="1", variant="soft", disabled=f["first"] != "",
                           on_click=CustomFieldsState.move(f["id"], "up"), aria_label="Move up " + f["label"]),
            rx.icon_button(rx.icon("arrow-down", size=14), size="1", variant="soft", disabled=f["last"] != "",
                           on_click=CustomFieldsState.move(f["id"], "down"), aria_label="Move down " + f["label"]),
            rx.button("Edit", size="1", variant="soft", on_click=CustomFieldsState.start_edit(f["id"]),
                      aria_label="Edit the field " + f["label"]),
            rx.button("Remove", size="1", variant="soft", color_scheme="red",
                      on_click=CustomFieldsState.remove(f["id"]), aria_label="Remove the field " + f["label"]),
            spacing="1", wrap="wrap"))),
        data_field=f["label"],
    )


def _edit() -> rx.Component:
    return rx.cond(S.can_admin & (S.edit_id != ""), rx.card(rx.form(
        rx.vstack(
            rx.heading("Edit the field", size="3"),
            rx.flex(
                rx.vstack(rx.el.label("Label", html_for="edit-label", style=LABEL),
                          rx.input(name="label", id="edit-label", default_value=S.edit_label), spacing="1"),
                rx.cond(S.edit_select, rx.vstack(
                    rx.el.label("Options", html_for="edit-options", style=LABEL),
                    rx.input(name="options", id="edit-options", default_value=S.edit_options, min_width="16em"),
                    spacing="1")),
                rx.hstack(rx.checkbox(name="required", id="edit-required", default_checked=S.edit_required),
                          rx.el.label("Required", html_for="edit-required", style=LABEL), align="center"),
                spacing="3", wrap="wrap", align="end",
            ),
            rx.text("Renaming keeps the values. An option still in use cannot be removed.", size="1",
                    color_scheme="gray"),
            field_error(S.edit_error),
            rx.hstack(rx.button("Save", type="submit"),
                      rx.button("Cancel", type="button", variant="soft", on_click=CustomFieldsState.cancel_edit)),
            spacing="3", width="100%",
        ),
        on_submit=CustomFieldsState.save_edit, reset_on_submit=False, width="100%",
        key=S.edit_id + S.edit_error,
    ), width="100%", id="edit-field"))


def _add() -> rx.Component:
    return rx.cond(S.can_admin, rx.card(rx.form(
        rx.vstack(
            rx.heading("Add a field", size="3"),
            rx.flex(
                native_select("applies_to", [("defect", "Defects"), ("test", "Test cases")], label="Applies to",
                              value="defect", id="field-applies-to"),
                rx.vstack(rx.el.label("Label", html_for="field-label", style=LABEL),
                          rx.input(name="label", id="field-label"), spacing="1"),
                native_select("kind", list(KIND_LABELS.items()), label="Type", value="text", id="field-kind"),
                rx.vstack(rx.el.label("Options (select fields)", html_for="field-options", style=LABEL),
                          rx.input(name="options", id="field-options", placeholder="Acme, Globex"), spacing="1"),
                rx.hstack(rx.checkbox(name="required", id="field-required"),
                          rx.el.label("Required", html_for="field-required", style=LABEL), align="center"),
                spacing="3", wrap="wrap", align="end",
            ),
            field_error(S.form_error),
            rx.button("Add field", type="submit"),
            spacing="3", width="100%",
        ),
        on_submit=CustomFieldsState.add, reset_on_submit=False, width="100%",
    ), width="100%"))


@rx.page(route="/projects/[project_id]/custom-fields", title="Custom fields · TraceIQ",
         on_load=[AuthState.require_login, CustomFieldsState.load])
def custom_fields_page() -> rx.Component:
    return app_shell(
        rx.cond(
            S.error != "",
            rx.vstack(error_callout(S.error), rx.link("Back to your projects", href="/projects")),
            rx.vstack(
                project_nav(S.pid, S.project_name, "settings"),
                rx.heading("Custom fields", size="5"),
                rx.text("Extra fields on this project's test cases and defects, shown in their forms, the defects "
                        "list, its filters and exports.", size="2", color_scheme="gray"),
                scroll_x(rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                                   ("Applies to", "Label", "Type", "Options", "", "")])),
                    rx.table.body(rx.foreach(S.rows, _row)), width="100%", size="1", variant="surface",
                    id="custom-fields-table")),
                _edit(),
                _add(),
                spacing="4", width="100%",
            ),
        ),
    )
