# mypy: disable-error-code="operator"
"""/projects/<id>/defects/<DEF-n>: one defect, its workflow, comments, attachments, occurrences
and the history of every change (who, when, field, old → new)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.analytics.bits import scroll_x
from traceiq_app.components.catalog.catalog_bits import error_callout, field_error, project_nav
from traceiq_app.components.defects.bits import LABEL, custom_input, native_select, status_badge
from traceiq_app.components.layout import app_shell
from traceiq_app.services.defects import workflow
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.defects.detail import DefectState

S = DefectState


def _header() -> rx.Component:
    d = S.d
    return rx.vstack(
        rx.hstack(
            rx.heading(d["key"], size="5", id="defect-key"),
            status_badge(d["status_label"], d["status"]),
            rx.cond(d["recurred"] == "yes", rx.badge(rx.icon("repeat", size=12), "recurred", color_scheme="red",
                                                     id="defect-recurred")),
            rx.badge("severity ", d["severity"], variant="outline"),
            rx.badge("priority ", d["priority"], variant="outline"),
            rx.spacer(),
            rx.button(rx.cond(S.watching, "Stop watching", "Watch"), size="1", variant="soft",
                      on_click=DefectState.toggle_watch),
            width="100%", align="center", wrap="wrap",
        ),
        rx.heading(d["title"], size="4", id="defect-title-text"),
        rx.flex(
            rx.text("Occurrences: ", rx.text.strong(d["occurrences"], id="defect-occurrences"), size="2"),
            rx.text("Last seen: ", d["last_seen"], size="2", color_scheme="gray"),
            rx.text("Reporter: ", d["reporter"], size="2", color_scheme="gray"),
            rx.text("Assignee: ", rx.cond(d["assignee"] != "", d["assignee"], "nobody"), size="2",
                    id="defect-assignee"),
            rx.text("Watchers: ", d["watchers"], size="2", color_scheme="gray"),
            rx.cond(d["external_url"] != "", rx.link(rx.cond(d["external_key"] != "", d["external_key"],
                                                             "External issue"),
                                                     href=d["external_url"], is_external=True, size="2")),
            spacing="4", wrap="wrap",
        ),
        spacing="2", width="100%",
    )


def _workflow() -> rx.Component:
    return rx.cond(S.can_write & (S.next_moves.length() > 0), rx.hstack(
        rx.text("Move to", size="2"),
        rx.foreach(S.next_moves, lambda m: rx.button(m["label"], size="2", variant="soft",
                                                    on_click=DefectState.move(m["status"]),
                                                    data_move=m["status"])),
        spacing="2", wrap="wrap", align="center",
    ))


def _edit() -> rx.Component:
    d = S.d
    return rx.cond(S.can_write, rx.el.details(
        rx.el.summary("Edit fields"),
        rx.form(
            rx.vstack(
                rx.flex(
                    native_select("severity", [(v, v) for v in workflow.SEVERITIES], label="Severity",
                                  value=d["severity"], id="edit-severity"),
                    native_select("priority", [(v, v) for v in workflow.PRIORITIES], label="Priority",
                                  value=d["priority"], id="edit-priority"),
                    native_select("assignee_id", S.people, label="Assignee", value=d["assignee_id"],
                                  id="edit-assignee", foreach_people=True, empty="Nobody"),
                    rx.vstack(rx.el.label("External link", html_for="edit-external-url", style=LABEL),
                              rx.input(name="external_url", id="edit-external-url", default_value=d["external_url"],
                                       key=d["external_url"]), spacing="1"),
                    rx.vstack(rx.el.label("External key", html_for="edit-external-key", style=LABEL),
                              rx.input(name="external_key", id="edit-external-key", default_value=d["external_key"],
                                       key=d["external_key"]), spacing="1"),
                    spacing="3", wrap="wrap",
                ),
                rx.cond(S.custom_rows.length() > 0, rx.grid(rx.foreach(S.custom_rows, custom_input),
                                                           columns=rx.breakpoints(initial="1", sm="2"),
                                                           spacing="3", width="100%")),
                field_error(S.form_error),
                rx.button("Save", type="submit", id="defect-save"),
                spacing="3", width="100%",
            ),
            on_submit=DefectState.save, width="100%",
        ),
        style={"width": "100%"},
    ))


def _custom() -> rx.Component:
    return rx.cond(S.custom_rows.length() > 0, rx.flex(
        rx.foreach(S.custom_rows, lambda f: rx.text(f["label"], ": ", rx.text.strong(f["value"]), size="2")),
        spacing="4", wrap="wrap"))


def _comments() -> rx.Component:
    return rx.vstack(
        rx.heading("Comments", size="3"),
        rx.foreach(S.comments, lambda c: rx.card(rx.vstack(
            rx.text(c["who"], " · ", c["at"], size="1", color_scheme="gray"),
            rx.html(c["html"], class_name="tiq-markdown"), spacing="1"), width="100%")),
        rx.cond(S.can_write, rx.form(
            rx.vstack(rx.text_area(name="body", id="defect-comment", rows="3", width="100%",
                                   aria_label="Comment", placeholder="Add a comment (Markdown)"),
                      rx.button("Comment", type="submit", size="2"), spacing="2", width="100%"),
            on_submit=DefectState.add_comment, width="100%")),
        spacing="2", width="100%",
    )


def _attachments() -> rx.Component:
    return rx.vstack(
        rx.heading("Attachments", size="3"),
        rx.foreach(S.attachments, lambda a: rx.link(a["name"], " (", a["size"], " bytes)", href=a["href"],
                                                    is_external=True, size="2")),
        rx.cond(S.can_write, rx.hstack(
            rx.upload(rx.button(rx.icon("paperclip", size=14), "Choose files", size="1", variant="soft"),
                      id="defect-upload", max_files=10, border="none", padding="0"),
            rx.button("Attach", size="1", on_click=DefectState.upload(rx.upload_files(upload_id="defect-upload"))),
            rx.text(rx.selected_files("defect-upload").join(", "), size="1", color_scheme="gray"),
            spacing="2", align="center", wrap="wrap")),
        spacing="2", width="100%",
    )


def _history_row(e: Any) -> rx.Component:
    return rx.table.row(rx.table.cell(e["at"]), rx.table.cell(e["who"]), rx.table.cell(e["field"]),
                        rx.table.cell(e["old"]), rx.table.cell(e["new"]), data_history_field=e["field"])


def _history() -> rx.Component:
    return rx.vstack(
        rx.heading("History", size="3"),
        scroll_x(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                           ("When", "Who", "Field", "From", "To")])),
            rx.table.body(rx.foreach(S.history, _history_row)),
            width="100%", size="1", variant="surface", id="defect-history")),
        spacing="2", width="100%",
    )


def _occurrences() -> rx.Component:
    return rx.cond(S.occurrence_rows.length() > 0, rx.vstack(
        rx.heading("Occurrences", size="3"),
        rx.foreach(S.occurrence_rows, lambda o: rx.hstack(
            rx.cond(o["run_href"] != "", rx.link(o["test_name"], href=o["run_href"], size="2"),
                    rx.text(o["test_name"], size="2")),
            rx.badge(o["browser"], variant="outline"), rx.text(o["at"], size="1", color_scheme="gray"),
            spacing="2", wrap="wrap", data_occurrence="")),
        spacing="2", width="100%",
    ))


@rx.page(route="/projects/[project_id]/defects/[defect_key]", title="Defect · TraceIQ",
         on_load=[AuthState.require_login, DefectState.load])
def defect_page() -> rx.Component:
    return app_shell(
        rx.cond(
            S.error != "",
            rx.vstack(error_callout(S.error), rx.link("Back to your projects", href="/projects")),
            rx.cond(S.loaded, rx.vstack(
                project_nav(S.pid, S.project_name, "defects"),
                rx.link("← Defects", href="/projects/" + S.pid + "/defects", size="2"),
                _header(),
                _workflow(),
                _custom(),
                rx.card(rx.html(S.d["description_html"], class_name="tiq-markdown", id="defect-description-html"),
                        width="100%"),
                _edit(),
                _occurrences(),
                _comments(),
                _attachments(),
                _history(),
                spacing="4", width="100%",
            )),
        ),
    )
