# mypy: disable-error-code="operator"
# (Reflex event handlers called on the State CLASS to build event specs type as EventNamespace.)
"""/projects/<id>/import: upload a Chrome Recorder flow, a Playwright codegen script or a
native JSON/YAML test, review what was understood and what was not, then save."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ArrayVar, ObjectVar

from traceiq_app.components.catalog.catalog_bits import error_callout, project_nav, section
from traceiq_app.components.layout import app_shell
from traceiq_app.services.catalog.imports import MAX_IMPORT_BYTES
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.catalog.imports import ImportState

UPLOAD_ID = "import-upload"


def _rejection(record: Any) -> Any:
    """One refused file as "name|size|codes" (computed in the browser: File.size is not sent)."""
    record = record.to(ObjectVar, dict[str, dict[str, Any]])
    file = record["file"].to(ObjectVar, dict[str, Any])
    errors = record["errors"].to(ArrayVar, list[dict[str, Any]])
    return f"{file['name']}|{file['size']}|{errors.map(lambda e: e['code']).join(',')}"


def _upload() -> rx.Component:
    return section(
        "1. Choose a file",
        rx.upload.root(
            rx.vstack(
                rx.icon("file-up", size=28, color=rx.color("accent", 9)),
                rx.text("Drop a file here or click to choose", weight="medium"),
                rx.text("Chrome DevTools Recorder JSON · Playwright codegen .py · TraceIQ .yaml/.json — up to 1 MB",
                        size="1", color_scheme="gray"),
                align="center",
                spacing="2",
            ),
            id=UPLOAD_ID,
            multiple=False,
            accept={"application/json": [".json"], "text/yaml": [".yaml", ".yml"], "text/x-python": [".py"]},
            max_files=1,
            border=f"2px dashed {rx.color('gray', 7)}",
            border_radius="var(--radius-4)",
            padding="2em",
            width="100%",
            max_size=MAX_IMPORT_BYTES,
            on_drop=ImportState.handle_upload(rx.upload_files(upload_id=UPLOAD_ID)),
            on_drop_rejected=lambda rejected: ImportState.reject_files(rejected.to(ArrayVar).map(_rejection)),
        ),
        rx.text("The preview appears as soon as you choose a file. Nothing is saved until you click Save.",
                size="1", color_scheme="gray"),
        rx.cond(ImportState.upload_error != "", error_callout(ImportState.upload_error)),
    )


def _preview() -> rx.Component:
    return rx.cond(
        ImportState.has_preview,
        section(
            "2. Review",
            rx.hstack(rx.badge(ImportState.format_label, variant="soft"), rx.text(ImportState.filename, size="2",
                                                                                 color_scheme="gray"),
                      align="center"),
            rx.grid(
                rx.vstack(
                    rx.hstack(rx.icon("circle-check", size=18, color=rx.color("green", 9)),
                              rx.heading("Understood (", ImportState.understood.length(), " steps)", size="3"),
                              align="center", spacing="2"),
                    rx.table.root(
                        rx.table.header(rx.table.row(rx.table.column_header_cell("#"),
                                                     rx.table.column_header_cell("From"),
                                                     rx.table.column_header_cell("Step"))),
                        rx.table.body(rx.foreach(ImportState.understood, lambda u: rx.table.row(
                            rx.table.cell(u["index"]),
                            rx.table.cell(rx.code(u["origin"], size="1")),
                            rx.table.cell(rx.text(u["summary"], size="2")),
                        ))),
                        size="1",
                        width="100%",
                        custom_attrs={"data-testid": "understood"},
                    ),
                    spacing="2",
                    width="100%",
                ),
                rx.vstack(
                    rx.hstack(rx.icon("circle-x", size=18, color=rx.color("red", 9)),
                              rx.heading("Not understood (", ImportState.not_understood.length(), ")", size="3"),
                              align="center", spacing="2"),
                    rx.cond(
                        ImportState.not_understood.length() > 0,
                        rx.vstack(rx.foreach(ImportState.not_understood, lambda p: rx.callout(
                            p, icon="triangle-alert", color_scheme="amber", size="1", width="100%")),
                            spacing="2", width="100%", custom_attrs={"data-testid": "not-understood"}),
                        rx.text("Everything in the file was understood.", size="2", color_scheme="green"),
                    ),
                    rx.cond(ImportState.not_understood.length() > 0,
                            rx.text("These parts are left out if you save; you can add them in the editor.",
                                    size="1", color_scheme="gray")),
                    spacing="2",
                    width="100%",
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            rx.divider(),
            rx.heading("3. Save", size="3"),
            rx.hstack(
                rx.input(value=ImportState.test_name, on_change=ImportState.set_test_name, aria_label="Test name",
                         width="100%", max_width="28em"),
                rx.select.root(
                    rx.select.trigger(aria_label="Folder"),
                    rx.select.content(rx.foreach(ImportState.suite_choices,
                                                 lambda s: rx.select.item(s["name"], value=s["id"]))),
                    value=ImportState.target_suite,
                    on_change=ImportState.set_target_suite,
                ),
                rx.button(rx.icon("save", size=16), "Save as test", on_click=ImportState.save,
                          disabled=~ImportState.can_save),
                rx.button("Cancel", variant="soft", color_scheme="gray", on_click=[
                    ImportState.cancel]),
                spacing="2",
                align="center",
                wrap="wrap",
                width="100%",
            ),
        ),
    )


@rx.page(route="/projects/[project_id]/import", title="Import · TraceIQ",
         on_load=[AuthState.require_login, ImportState.load])
def import_page() -> rx.Component:
    return app_shell(
        rx.cond(
            ImportState.error != "",
            rx.vstack(error_callout(ImportState.error), rx.link("Back to your projects", href="/projects")),
            rx.vstack(
                project_nav(ImportState.pid, ImportState.project_name, "import"),
                _upload(),
                _preview(),
                spacing="4",
                width="100%",
            ),
        ),
    )
