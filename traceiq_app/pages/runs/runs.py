"""/projects/<id>/runs: the run history of a project with filters and keyset pagination."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.catalog.catalog_bits import empty_state, error_callout, project_nav
from traceiq_app.components.layout import app_shell, card_row
from traceiq_app.components.runs.run_dialog import run_dialog, run_dialog_button
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.runs.runs_list import STATUSES, TRIGGERS, RunsListState

STATUS_COLORS = {"passed": "green", "failed": "red", "error": "red", "running": "blue", "queued": "gray",
                 "cancelled": "orange", "timed_out": "orange", "flaky": "amber"}


def status_badge(status: Any) -> rx.Component:
    return rx.badge(status, color_scheme=rx.match(status, *[(k, v) for k, v in STATUS_COLORS.items()], "gray"),
                    variant="soft", data_status=status)


RUN_COLUMNS = ("Status", "Started", "Trigger / who", "Environment", "Branch", "Duration", "Results")


def _row(r: Any) -> rx.Component:
    return card_row(
        RUN_COLUMNS,
        rx.table.cell(rx.link(status_badge(r["status"]), href="/runs/" + r["id"], aria_label="Open run " + r["id"])),
        rx.table.cell(rx.link(r["created_at"], href="/runs/" + r["id"])),
        rx.table.cell(rx.text(r["trigger"], " · ", r["who"], size="2")),
        rx.table.cell(r["environment"]),
        rx.table.cell(r["branch"]),
        rx.table.cell(r["duration"]),
        rx.table.cell(rx.hstack(
            rx.badge(r["passed"], " passed", color_scheme="green", variant="soft"),
            rx.badge(r["failed"], " failed", color_scheme="red", variant="soft"),
            rx.badge(r["flaky"], " flaky", color_scheme="amber", variant="soft"),
            rx.text("of ", r["total"], size="1", color_scheme="gray"), spacing="1", align="center")),
        data_run_id=r["id"],
    )


# Filters apply as soon as one changes (a select, a date; the branch on Enter or leaving it). The
# timeout lets a Radix select write its hidden form value first.
SUBMIT_FILTERS = rx.call_script("setTimeout(() => document.getElementById('runs-filters')?.requestSubmit(), 0)")


def _filter_select(name: str, label: str, items: list[Any], value: Any) -> rx.Component:
    """A Radix select inside the filters form (its hidden native select carries `name`)."""
    return rx.select.root(
        rx.select.trigger(aria_label=label, max_width="14em", min_width="0", id=f"filter-{name}",
                          style={"overflow": "hidden", "textOverflow": "ellipsis", "whiteSpace": "nowrap"}),
        rx.select.content(*items),
        name=name, default_value=value, on_change=SUBMIT_FILTERS,
    )


def _filters() -> rx.Component:
    return rx.form(
        rx.flex(
            _filter_select("status", "Status", [rx.select.item("any status" if s == "all" else s, value=s)
                                                for s in STATUSES], RunsListState.f_status),
            _filter_select("trigger", "Trigger", [rx.select.item("any trigger" if s == "all" else s, value=s)
                                                  for s in TRIGGERS], RunsListState.f_trigger),
            _filter_select("suite_id", "Folder", [rx.select.item("all folders", value="all"),
                                                  rx.foreach(RunsListState.suites,
                                                             lambda s: rx.select.item(s["name"], value=s["id"]))],
                           RunsListState.f_suite),
            _filter_select("environment_id", "Environment",
                           [rx.select.item("all environments", value="all"),
                            rx.foreach(RunsListState.environments,
                                       lambda e: rx.select.item(e["name"], value=e["id"]))],
                           RunsListState.f_env),
            rx.input(name="branch", placeholder="branch", aria_label="Branch", default_value=RunsListState.f_branch,
                     width="9em", on_blur=SUBMIT_FILTERS),
            rx.input(name="date_from", type="date", aria_label="From", default_value=RunsListState.f_from,
                     on_change=SUBMIT_FILTERS),
            rx.input(name="date_to", type="date", aria_label="To", default_value=RunsListState.f_to,
                     on_change=SUBMIT_FILTERS),
            rx.button("Clear", type="button", variant="soft", color_scheme="gray",
                      on_click=RunsListState.clear_filters),
            spacing="2", wrap="wrap", align="center",
        ),
        id="runs-filters",
        key=RunsListState.filter_key,
        on_submit=RunsListState.apply_filters,
        max_width="100%",
    )


@rx.page(route="/projects/[project_id]/runs", title="Runs · TraceIQ",
         on_load=[AuthState.require_login, RunsListState.load])
def runs_page() -> rx.Component:
    return app_shell(
        rx.cond(RunsListState.error != "", error_callout(RunsListState.error)),
        rx.cond(
            RunsListState.project_name != "",
            rx.vstack(
                project_nav(RunsListState.pid, RunsListState.project_name, "runs"),
                rx.hstack(rx.heading("Runs", size="5"), rx.spacer(),
                          rx.cond(RunsListState.can_run, run_dialog_button(RunsListState.pid)),
                          width="100%", align="center"),
                _filters(),
                rx.cond(
                    RunsListState.rows.length() > 0,
                    rx.table.root(
                        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in RUN_COLUMNS])),
                        rx.table.body(rx.foreach(RunsListState.rows, _row)),
                        width="100%", variant="surface", class_name="tiq-cards",
                    ),
                    rx.cond(RunsListState.loaded, empty_state("list-video", "No runs",
                                                              "No run matches. Start one with “Run tests”.")),
                ),
                rx.hstack(
                    rx.button(rx.icon("chevron-left", size=16), "Newer", variant="soft",
                              disabled=RunsListState.prev_cursors.length() == 0, on_click=RunsListState.prev_page),
                    rx.text("Page ", RunsListState.page_no, size="2"),
                    rx.button("Older", rx.icon("chevron-right", size=16), variant="soft",
                              disabled=RunsListState.next_cursor == "", on_click=RunsListState.next_page),
                    spacing="3", align="center",
                ),
                spacing="4", width="100%",
            ),
        ),
        run_dialog(),
    )
