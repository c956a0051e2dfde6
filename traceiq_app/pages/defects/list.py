# mypy: disable-error-code="operator"
"""/projects/<id>/defects: the defects list, filters, saved filters, CSV/Excel export."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.analytics.bits import scroll_x
from traceiq_app.components.catalog.catalog_bits import empty_state, error_callout, project_nav
from traceiq_app.components.defects.bits import (
    defect_cells,
    list_filter_fields,
    saved_filter_controls,
)
from traceiq_app.components.layout import app_shell
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.defects.list import DefectListState


def _filters() -> rx.Component:
    s = DefectListState
    return rx.form(
        rx.flex(
            *list_filter_fields(s),
            rx.hstack(rx.button("Apply", type="submit"),
                      rx.button("Clear", type="button", variant="soft", on_click=DefectListState.clear),
                      align="end", height="100%"),
            spacing="3", wrap="wrap", align="end",
        ),
        on_submit=DefectListState.apply, width="100%",
        key=s.query,  # re-mounted when the filters change (Clear, a saved filter): the inputs show them
    )


def _saved() -> rx.Component:
    s = DefectListState
    return rx.flex(
        *saved_filter_controls(s),
        rx.spacer(),
        rx.link(rx.button(rx.icon("file-text", size=14), "CSV", size="1", variant="soft", tab_index=-1),
                href="/api/v1/projects/" + s.pid + "/defects.csv?" + s.query, id="export-csv", is_external=True),
        rx.link(rx.button(rx.icon("sheet", size=14), "Excel", size="1", variant="soft", tab_index=-1),
                href="/api/v1/projects/" + s.pid + "/defects.xlsx?" + s.query, id="export-xlsx", is_external=True),
        spacing="2", wrap="wrap", align="center", width="100%",
    )


def _row(r: Any) -> rx.Component:
    return rx.table.row(
        *defect_cells(r, title_width="26em", custom_width="14em"),
        data_defect=r["key"],
    )


@rx.page(route="/projects/[project_id]/defects", title="Defects · TraceIQ",
         on_load=[AuthState.require_login, DefectListState.load])
def defects_page() -> rx.Component:
    s = DefectListState
    return app_shell(
        rx.cond(
            s.error != "",
            rx.vstack(error_callout(s.error), rx.link("Back to your projects", href="/projects")),
            rx.vstack(
                project_nav(s.pid, s.project_name, "defects"),
                rx.hstack(rx.heading("Defects", size="5"), rx.spacer(),
                          rx.cond(s.can_write, rx.link(rx.button(rx.icon("plus", size=16), "New defect",
                                                                 tab_index=-1),
                                                       href="/projects/" + s.pid + "/defects/new")),
                          width="100%", align="center"),
                _filters(),
                _saved(),
                rx.cond(s.rows.length() > 0,
                        scroll_x(rx.table.root(
                            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
                                "Key", "Title", "Status", "Severity", "Priority", "Assignee", "Seen", "",
                                "Custom fields")])),
                            rx.table.body(rx.foreach(s.rows, _row)),
                            width="100%", variant="surface", size="1", id="defects-table")),
                        rx.cond(s.loaded, empty_state("bug", "No defects here",
                                                      "Raise one from a failed test on its run page, or with New "
                                                      "defect."))),
                spacing="4", width="100%",
            ),
        ),
    )
