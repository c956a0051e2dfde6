# mypy: disable-error-code="operator"
"""/defects: the defects of every project of the organization the user may read, with a
Project filter, the list's usual filters, saved filters and CSV/Excel export."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.analytics.bits import scroll_x, truncated
from traceiq_app.components.catalog.catalog_bits import empty_state, error_callout, field_error
from traceiq_app.components.defects.bits import (
    defect_cells,
    list_filter_fields,
    native_select,
    saved_filter_controls,
)
from traceiq_app.components.layout import app_shell
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.defects.org_list import OrgDefectsState

S = OrgDefectsState
_DOWNLOAD = {"display": "inline-flex", "alignItems": "center", "gap": "0.3em", "height": "var(--space-5)",
             "padding": "0 var(--space-2)", "borderRadius": "var(--radius-2)", "background": "var(--accent-a3)",
             "color": "var(--accent-11)", "fontSize": "var(--font-size-1)", "fontWeight": 500,
             "textDecoration": "none"}


def _filters() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.flex(
                native_select("project", S.projects, label="Project", value=S.filters.get("project", ""),
                              id="filter-project", foreach_people=True, empty="All projects"),
                *list_filter_fields(S),
                rx.hstack(rx.button("Apply", type="submit"),
                          rx.button("Clear", type="button", variant="soft", on_click=OrgDefectsState.clear),
                          align="end", height="100%"),
                spacing="3", wrap="wrap", align="end",
            ),
            rx.cond(S.fields.length() == 0,
                    rx.text("Choose one project and apply to filter by its custom fields.", size="1",
                            color_scheme="gray")),
            field_error(S.form_error),
            spacing="2", width="100%",
        ),
        on_submit=OrgDefectsState.apply, width="100%",
        key=S.query + S.form_error,  # re-mounted when the filters change: the inputs show them
    )


def _saved() -> rx.Component:
    return rx.flex(
        *saved_filter_controls(S),
        rx.spacer(),
        # Links with `download` the browser follows itself (Reflex renders <a> as a router link:
        # `reloadDocument` keeps the router out); the route authorizes again.
        rx.el.a(rx.icon("file-text", size=14), "CSV", href="/api/v1/defects.csv?" + S.query, id="export-csv",
                download="defects.csv", style=_DOWNLOAD, custom_attrs={"reloadDocument": True}),
        rx.el.a(rx.icon("sheet", size=14), "Excel", href="/api/v1/defects.xlsx?" + S.query, id="export-xlsx",
                download="defects.xlsx", style=_DOWNLOAD, custom_attrs={"reloadDocument": True}),
        spacing="2", wrap="wrap", align="center", width="100%",
    )


def _row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(truncated(r["project"], "/projects/" + r["project_id"].to(str) + "/defects", "12em")),
        *defect_cells(r, title_width="24em", custom_width="12em"),
        data_defect=r["project"].to(str) + " " + r["key"].to(str),
    )


def _empty() -> rx.Component:
    return rx.cond(
        S.projects.length() == 0,
        empty_state("folder-lock", "No projects to show defects from",
                    "You can read no project of this organization yet. Ask a project admin to add you, or "
                    "create a project on the Projects page.",
                    action=rx.link(rx.button("Go to projects", variant="soft", tab_index=-1), href="/projects")),
        rx.cond(S.filtered,
                empty_state("filter-x", "No defect matches these filters",
                            "Loosen a filter, or press Clear to see every defect.",
                            action=rx.button("Clear filters", variant="soft", on_click=OrgDefectsState.clear)),
                empty_state("bug", "No defects yet",
                            "Raise one from a failed test on its run page, or with New defect on a "
                            "project's Defects page.")),
    )


@rx.page(route="/defects", title="Defects · TraceIQ", on_load=[AuthState.require_login, OrgDefectsState.load])
def org_defects_page() -> rx.Component:
    return app_shell(
        rx.cond(
            S.error != "",
            rx.vstack(error_callout(S.error), rx.link("Back to your projects", href="/projects")),
            rx.vstack(
                rx.hstack(rx.heading("Defects", size="5"),
                          rx.text("in every project of ", AuthState.org_name, " you can read", size="2",
                                  color_scheme="gray"),
                          spacing="3", align="baseline", wrap="wrap", width="100%"),
                _filters(),
                _saved(),
                rx.cond(S.rows.length() > 0,
                        scroll_x(rx.table.root(
                            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
                                "Project", "Key", "Title", "Status", "Severity", "Priority", "Assignee", "Seen",
                                "", "Custom fields")])),
                            rx.table.body(rx.foreach(S.rows, _row)),
                            width="100%", variant="surface", size="1", id="org-defects-table")),
                        rx.cond(S.loaded, _empty())),
                spacing="4", width="100%",
            ),
        ),
    )
