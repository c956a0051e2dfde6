# mypy: disable-error-code="operator"
"""/projects/<id>/defects/new: raise a defect (prefilled from a failure or from query params)."""

from __future__ import annotations

import reflex as rx

from traceiq_app.components.catalog.catalog_bits import error_callout, field_error, project_nav
from traceiq_app.components.defects.bits import LABEL, custom_input, native_select
from traceiq_app.components.layout import app_shell
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.defects.new import PRIORITIES, SEVERITIES, NewDefectState


def _attach_offer() -> rx.Component:
    s = NewDefectState
    return rx.cond(s.existing_key != "", rx.callout(
        rx.vstack(
            rx.text("This failure belongs to a failure cluster that already has a defect: ",
                    rx.text.strong(s.existing_key), " ", s.existing_title, "."),
            rx.button(rx.icon("link", size=16), "Attach to " + s.existing_key, on_click=NewDefectState.attach,
                      id="attach-existing"),
            spacing="2",
        ),
        icon="info", color_scheme="amber", width="100%", id="attach-offer",
    ))


def _form() -> rx.Component:
    s = NewDefectState
    return rx.form(
        rx.vstack(
            rx.el.label("Title", html_for="defect-title", style=LABEL),
            rx.input(name="title", id="defect-title", default_value=s.title, key=s.title, width="100%"),
            rx.el.label("Description (Markdown)", html_for="defect-description", style=LABEL),
            rx.text_area(name="description", id="defect-description", default_value=s.description,
                         key=s.description, rows="12", width="100%", style={"fontFamily": "var(--code-font-family)"}),
            rx.flex(
                native_select("severity", [(v, v) for v in SEVERITIES], label="Severity", value="major"),
                native_select("priority", [(v, v) for v in PRIORITIES], label="Priority", value="medium"),
                native_select("assignee_id", s.people, label="Assignee", foreach_people=True, empty="Nobody yet"),
                spacing="3", wrap="wrap",
            ),
            rx.flex(
                rx.vstack(rx.el.label("External link", html_for="defect-external-url", style=LABEL),
                          rx.input(name="external_url", id="defect-external-url",
                                   placeholder="https://jira.example.com/browse/SHOP-12"), spacing="1"),
                rx.vstack(rx.el.label("External key", html_for="defect-external-key", style=LABEL),
                          rx.input(name="external_key", id="defect-external-key", placeholder="SHOP-12"),
                          spacing="1"),
                spacing="3", wrap="wrap",
            ),
            rx.cond(s.fields.length() > 0, rx.grid(rx.foreach(s.fields, custom_input),
                                                  columns=rx.breakpoints(initial="1", sm="2"), spacing="3",
                                                  width="100%")),
            field_error(s.form_error),
            rx.button(rx.icon("bug", size=16), "Raise defect", type="submit"),
            spacing="3", width="100%",
        ),
        on_submit=NewDefectState.create, width="100%",
    )


@rx.page(route="/projects/[project_id]/defects/new", title="New defect · TraceIQ",
         on_load=[AuthState.require_login, NewDefectState.load])
def new_defect_page() -> rx.Component:
    s = NewDefectState
    return app_shell(
        rx.cond(
            s.error != "",
            rx.vstack(error_callout(s.error), rx.link("Back to your projects", href="/projects")),
            rx.cond(s.loaded, rx.vstack(
                project_nav(s.pid, s.project_name, "defects"),
                rx.heading("New defect", size="5"),
                _attach_offer(),
                _form(),
                spacing="4", width="100%",
            )),
        ),
    )
