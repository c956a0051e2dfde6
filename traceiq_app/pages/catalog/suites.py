# mypy: disable-error-code="operator"
# (Reflex event handlers called on the State CLASS to build event specs type as EventNamespace.)
"""/projects/<id>: the project home — the suite tree (nested folders) and the tests of the
selected folder, with create / rename / move / delete / restore."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.catalog.catalog_bits import empty_state, error_callout, project_nav, section
from traceiq_app.components.catalog.tree import suite_tree
from traceiq_app.components.layout import app_shell, card_row
from traceiq_app.components.runs.run_dialog import (
    run_dialog,
    run_dialog_button,
    run_folder_button,
    run_selected_button,
)
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.catalog.suites import ROOT, SuitesState
from traceiq_app.state.runs.run_dialog import RunTestState

TRUNCATE = {"overflow": "hidden", "textOverflow": "ellipsis", "whiteSpace": "nowrap", "display": "block"}


# Columns a phone leaves out (the test's page shows them).
WIDE_ONLY = ["none", "none", "table-cell"]


def _priority(value: Any) -> rx.Component:
    return rx.badge(value, color_scheme=rx.match(value, ("critical", "red"), ("high", "orange"),
                                                 ("low", "gray"), "blue"), variant="soft")


def _folders_card() -> rx.Component:
    return section(
        "Folders",
        suite_tree(),
        rx.cond(
            SuitesState.can_write,
            rx.form(
                rx.hstack(
                    rx.input(name="name", id="new-folder-name", placeholder="New folder name", required=True,
                             aria_label="New folder name", size="2", width="100%", max_length=200),
                    rx.el.input(type="hidden", name="parent", value=ROOT),
                    rx.button(rx.icon("folder-plus", size=16), "New folder", type="submit", size="2",
                              flex_shrink="0"),
                    width="100%",
                ),
                rx.text("Creates a top-level folder. To nest one, select a folder and use “New sub-folder”.",
                        size="1", color_scheme="gray"),
                on_submit=SuitesState.create_suite,
                reset_on_submit=True,
                width="100%",
            ),
        ),
        min_width="16em",
    )


def _folder_actions() -> rx.Component:
    return rx.cond(
        (SuitesState.selected != "") & SuitesState.can_write,
        rx.hstack(
            rx.popover.root(
                rx.popover.trigger(rx.button(rx.icon("folder-plus", size=14), "New sub-folder", variant="soft",
                                             size="1")),
                rx.popover.content(
                    rx.form(
                        rx.vstack(
                            rx.text("Inside ", rx.text.strong(SuitesState.selected_name), size="2", max_width="18em",
                                    overflow="hidden", text_overflow="ellipsis", white_space="nowrap",
                                    title=SuitesState.selected_name),
                            rx.hstack(
                                rx.input(name="name", aria_label="Sub-folder name", placeholder="Sub-folder name",
                                         auto_focus=True, required=True, max_length=200),
                                rx.el.input(type="hidden", name="parent", value=SuitesState.selected),
                                rx.popover.close(rx.button("Create sub-folder", type="submit", size="2")),
                            ),
                            spacing="2",
                        ),
                        on_submit=SuitesState.create_suite,
                    ),
                ),
            ),
            rx.popover.root(
                rx.popover.trigger(rx.button(rx.icon("pencil", size=14), "Rename", variant="soft", size="1")),
                rx.popover.content(
                    rx.form(
                        rx.hstack(
                            rx.input(name="name", default_value=SuitesState.selected_name, aria_label="Folder name",
                                     auto_focus=True, required=True, max_length=200),
                            rx.popover.close(rx.button("Save", type="submit", size="2")),
                        ),
                        on_submit=SuitesState.rename_selected,
                    ),
                ),
            ),
            rx.select.root(
                rx.select.trigger(placeholder="Move to…", aria_label="Move folder to", variant="soft"),
                rx.select.content(
                    rx.select.item("Top level", value=ROOT),
                    rx.foreach(SuitesState.tree, lambda n: rx.cond(
                        n["id"] != SuitesState.selected,
                        rx.select.item(n["name"], value=n["id"]),
                    )),
                ),
                value="",
                on_change=SuitesState.move_selected,
                size="1",
            ),
            rx.link(rx.button(rx.icon("settings", size=14), "Folder settings", variant="soft", size="1", tab_index=-1),
                    href="/projects/" + SuitesState.pid + "/settings?folder=" + SuitesState.selected),
            rx.button(rx.icon("trash-2", size=14), "Delete folder", variant="soft", color_scheme="red", size="1",
                      on_click=SuitesState.delete_suite(SuitesState.selected)),
            spacing="2",
            wrap="wrap",
        ),
    )


def _last_run(status: Any) -> rx.Component:
    return rx.cond(status == "", rx.text("never run", size="1", color_scheme="gray"),
                   rx.badge(status, variant="soft", color_scheme=rx.match(
                       status, ("passed", "green"), ("failed", "red"), ("error", "red"), ("flaky", "amber"),
                       "gray")),
                   )


TEST_COLUMNS = ("Test", "Last run", "Priority", "Steps", "Version", "Tags", "")


def _test_row(t: Any) -> rx.Component:
    return card_row(("", *TEST_COLUMNS), *_test_cells(t))  # the first cell: the selection checkbox


def _test_cells(t: Any) -> list[rx.Component]:
    return [
        rx.cond(SuitesState.can_run, rx.table.cell(rx.checkbox(
            aria_label="Select " + t["name"], checked=SuitesState.checked.contains(t["id"]),
            on_change=lambda on: SuitesState.toggle_checked(t["id"], on)), width="2em")),
        rx.table.cell(rx.link(t["name"], href="/tests/" + t["id"], weight="medium", title=t["name"],
                              style=TRUNCATE, max_width=["9em", "14em", "22em"]),
                      rx.cond(t["fields"] != "", rx.text(t["fields"], size="1", color_scheme="gray", title=t["fields"],
                                                         style=TRUNCATE, max_width=["9em", "14em", "22em"],
                                                         class_name="tiq-test-fields"))),
        rx.table.cell(_last_run(t["last"]), custom_attrs={"data-testid": "last-run"}),
        rx.table.cell(_priority(t["priority"])),
        rx.table.cell(rx.text(t["steps"], size="2"), display=WIDE_ONLY),
        rx.table.cell(rx.text("v", t["version"], size="2"), display=WIDE_ONLY),
        rx.table.cell(rx.text(t["tags"], size="1", color_scheme="gray", title=t["tags"], style=TRUNCATE,
                              max_width="12em"), display=WIDE_ONLY),
        rx.table.cell(rx.cond(
            SuitesState.can_write,
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(placeholder="Move…", aria_label="Move " + t["name"] + " to folder", variant="ghost"),
                    rx.select.content(
                        rx.select.item("Not in a folder", value=ROOT),
                        rx.foreach(SuitesState.tree, lambda n: rx.select.item(n["name"], value=n["id"])),
                    ),
                    value="",
                    on_change=lambda target: SuitesState.move_test(t["id"], target),
                    size="1",
                ),
                rx.cond(SuitesState.can_run, rx.icon_button(
                    rx.icon("play", size=14), variant="ghost", size="1", aria_label="Run " + t["name"],
                    title="Run this test now", on_click=RunTestState.run_test(SuitesState.pid, t["id"]))),
                rx.icon_button(rx.icon("copy", size=14), variant="ghost", size="1", aria_label="Duplicate " + t["name"],
                               on_click=SuitesState.duplicate_test(t["id"])),
                rx.icon_button(rx.icon("trash-2", size=14), variant="ghost", size="1", color_scheme="red",
                               aria_label="Delete " + t["name"], on_click=SuitesState.delete_test(t["id"])),
                spacing="2",
            ),
        )),
    ]


def _tests_card() -> rx.Component:
    new_test_href = rx.cond(SuitesState.selected == "", "/projects/" + SuitesState.pid + "/tests/new",
                            "/projects/" + SuitesState.pid + "/tests/new?suite=" + SuitesState.selected)
    import_href = rx.cond(SuitesState.selected == "", "/projects/" + SuitesState.pid + "/import",
                          "/projects/" + SuitesState.pid + "/import?suite=" + SuitesState.selected)
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(SuitesState.selected_name, size="4", title=SuitesState.selected_name, style=TRUNCATE,
                           max_width="100%"),
                _folder_actions(),
                rx.spacer(),
                rx.cond(SuitesState.can_run & (SuitesState.checked.length() > 0),
                        run_selected_button(SuitesState.pid, SuitesState.checked)),
                rx.cond((SuitesState.selected != "") & SuitesState.can_run,
                        run_folder_button(SuitesState.pid, SuitesState.selected)),
                rx.cond(SuitesState.can_write, rx.hstack(
                    rx.link(rx.button(rx.icon("upload", size=16), "Import", variant="soft", tab_index=-1),
                            href=import_href),
                    rx.link(rx.button(rx.icon("plus", size=16), "New test", tab_index=-1), href=new_test_href),
                    rx.link(rx.button(rx.icon("clipboard-list", size=16), "New manual test", variant="soft",
                                      tab_index=-1),
                            href="/projects/" + SuitesState.pid + "/manual-tests/new?suite=" + SuitesState.selected),
                    spacing="2",
                )),
                align="center",
                width="100%",
                wrap="wrap",
                spacing="3",
            ),
            rx.cond(SuitesState.tests.length() > 3, rx.input(
                rx.input.slot(rx.icon("search", size=14)), placeholder="Search tests by name, tag or field",
                aria_label="Search tests", value=SuitesState.search, on_change=SuitesState.set_search,
                width="100%", max_width="24em")),
            rx.cond(SuitesState.tests.length() > 0, rx.link(
                rx.button(rx.icon("download", size=14), "Tests as CSV", variant="soft", size="1", tab_index=-1),
                href="/api/v1/projects/" + SuitesState.pid + "/tests.csv", is_external=True, id="tests-csv",
                aria_label="Download the project's tests with their custom fields as CSV")),
            rx.cond(
                (SuitesState.tests.length() > 0) & (SuitesState.shown_tests.length() == 0),
                rx.text("No test matches “", SuitesState.search, "”.", size="2", color_scheme="gray"),
            ),
            rx.cond(
                SuitesState.tests.length() > 0,
                rx.table.root(
                    rx.table.header(rx.table.row(
                        rx.cond(SuitesState.can_run, rx.table.column_header_cell(rx.checkbox(
                            aria_label="Select all tests",
                            checked=(SuitesState.checked.length() > 0)
                            & (SuitesState.checked.length() == SuitesState.shown_tests.length()),
                            on_change=SuitesState.toggle_all))),
                        *[rx.table.column_header_cell(h, display=WIDE_ONLY if h in ("Steps", "Version", "Tags") else None)
                          for h in TEST_COLUMNS])),
                    rx.table.body(rx.foreach(SuitesState.shown_tests, _test_row)),
                    class_name="tiq-cards",
                    width="100%",
                    max_width="100%",
                    variant="surface",
                ),
                rx.cond(
                    (SuitesState.tree.length() == 0) & (SuitesState.selected == ""),
                    empty_state(
                        "sparkles", "This project is empty",
                        "Next: create a folder on the left to group your tests (e.g. “Checkout”), then click "
                        "“New test” to write one step by step — or “Import” a Chrome Recorder flow, a Playwright "
                        "codegen script or a TraceIQ YAML/JSON file.",
                    ),
                    empty_state("file-plus", "No tests in this folder",
                                "Click “New test” to write one, or “Import” a recorded flow."),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )


def _deleted() -> rx.Component:
    def item(label: Any, icon: str, on_restore: Any) -> rx.Component:
        return rx.hstack(rx.icon(icon, size=14), rx.text(label, size="2", title=label, style=TRUNCATE, min_width="0"),
                         rx.spacer(),
                         rx.button("Restore", size="1", variant="soft", on_click=on_restore), width="100%",
                         align="center")

    return rx.cond(
        (SuitesState.deleted_suites.length() + SuitesState.deleted_tests.length()) > 0,
        section(
            "Deleted",
            rx.foreach(SuitesState.deleted_suites, lambda s: item(s["name"], "folder-x",
                                                                   SuitesState.restore_suite(s["id"]))),
            rx.foreach(SuitesState.deleted_tests, lambda t: item(t["name"], "file-x",
                                                                  SuitesState.restore_test(t["id"]))),
        ),
    )


def _project_bar() -> rx.Component:
    """Run the project's tests (the run dialog; editors and up), rename / delete the project
    (admins / owners); the handlers authorize."""
    return rx.cond(
        SuitesState.can_run | SuitesState.can_admin,
        rx.hstack(
            rx.cond(SuitesState.can_run, run_dialog_button(SuitesState.pid)),
            rx.spacer(),
            _project_actions(),
            align="center",
            width="100%",
        ),
    )


def _project_actions() -> rx.Component:
    return rx.cond(
        SuitesState.can_admin,
        rx.hstack(
            rx.popover.root(
                rx.popover.trigger(rx.button(rx.icon("pencil", size=14), "Rename project", variant="ghost", size="1")),
                rx.popover.content(
                    rx.form(
                        rx.hstack(
                            rx.input(name="name", default_value=SuitesState.project_name, aria_label="Project name",
                                     required=True),
                            rx.popover.close(rx.button("Save", type="submit", size="2")),
                        ),
                        on_submit=SuitesState.rename_project,
                    ),
                ),
            ),
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(rx.button(rx.icon("trash-2", size=14), "Delete project", variant="ghost",
                                                  color_scheme="red", size="1")),
                rx.alert_dialog.content(
                    rx.alert_dialog.title("Delete ", SuitesState.project_name, "?"),
                    rx.alert_dialog.description("Its folders, tests and environments disappear from every list."),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                        rx.alert_dialog.action(rx.button("Delete project", color_scheme="red",
                                                         on_click=SuitesState.delete_project)),
                        spacing="3",
                        justify="end",
                    ),
                ),
            ),
            spacing="3",
            justify="end",
        ),
    )


@rx.page(route="/projects/[project_id]", title="Project · TraceIQ",
         on_load=[AuthState.require_login, SuitesState.load])
def project_page() -> rx.Component:
    return app_shell(
        rx.cond(
            SuitesState.error != "",
            rx.vstack(error_callout(SuitesState.error), rx.link("Back to your projects", href="/projects")),
            rx.vstack(
                project_nav(SuitesState.pid, SuitesState.project_name, "tests"),
                _project_bar(),
                rx.flex(
                    rx.box(_folders_card(), width=rx.breakpoints(initial="100%", md="18em"), flex_shrink="0"),
                    rx.vstack(_tests_card(), _deleted(), width="100%", spacing="4", min_width="0"),
                    direction=rx.breakpoints(initial="column", md="row"),
                    spacing="4",
                    width="100%",
                    align="start",
                ),
                spacing="4",
                width="100%",
            ),
        ),
        run_dialog(),
    )
