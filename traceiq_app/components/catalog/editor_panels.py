# mypy: disable-error-code="operator"
# (Reflex event handlers called on the State CLASS to build event specs type as EventNamespace.)
"""Side panels of the editor: version history with a readable diff and restore, and the
effective settings with where each value comes from."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.catalog.catalog_bits import choice
from traceiq_app.state.catalog.editor import EditorState

KIND_COLORS = (("added", "green"), ("removed", "red"), "amber")


def _change_table(rows: Any) -> rx.Component:
    return rx.table.root(
        rx.table.body(rx.foreach(rows, lambda f: rx.table.row(
            rx.table.cell(rx.code(f["field"], size="1")),
            rx.table.cell(rx.text(f["old"], size="1", color=rx.color("red", 11), text_decoration="line-through")),
            rx.table.cell(rx.text(f["new"], size="1", color=rx.color("green", 11))),
        ))),
        size="1",
        width="100%",
    )


def _diff_row(row: Any) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(rx.badge(row.kind, color_scheme=rx.match(row.kind, *KIND_COLORS), variant="soft"),
                      rx.text(row.title, size="2", weight="medium"), align="center"),
            rx.cond(row.fields.length() > 0, _change_table(row.fields)),
            spacing="1",
            width="100%",
        ),
        padding="0.5em",
        border_left=f"3px solid {rx.color('gray', 6)}",
        width="100%",
        custom_attrs={"data-testid": "diff-row"},
    )


def history_panel() -> rx.Component:
    versions: Any = EditorState.history
    return rx.cond(
        EditorState.is_new,
        rx.text("Versions appear here once the test is saved.", size="2", color_scheme="gray"),
        rx.vstack(
            rx.foreach(versions, lambda v: rx.hstack(
                rx.badge("v", v["version"], variant=rx.cond(v["current"] == "yes", "solid", "soft")),
                rx.text(v["created"], size="1", color_scheme="gray"),
                rx.spacer(),
                rx.cond(
                    (v["current"] != "yes") & EditorState.can_write,
                    rx.button("Restore", size="1", variant="soft", on_click=EditorState.restore_version(v["version"]),
                              aria_label="Restore version " + v["version"]),
                    rx.cond(v["current"] == "yes", rx.text("current", size="1", color_scheme="gray")),
                ),
                width="100%",
                align="center",
            )),
            rx.cond(
                versions.length() > 1,
                rx.vstack(
                    rx.divider(),
                    rx.hstack(
                        rx.text("Compare", size="2"),
                        choice(versions.map(lambda v: v["version"]), EditorState.diff_from,
                               EditorState.set_diff_from, label="Older version", size="1"),
                        rx.text("with", size="2"),
                        choice(versions.map(lambda v: v["version"]), EditorState.diff_to,
                               EditorState.set_diff_to, label="Newer version", size="1"),
                        align="center",
                        spacing="2",
                    ),
                    rx.text(EditorState.diff_summary, size="2", weight="medium", custom_attrs={"data-testid": "diff-summary"}),
                    rx.cond(EditorState.diff_head.length() > 0, _change_table(EditorState.diff_head)),
                    rx.foreach(EditorState.diff_rows, _diff_row),
                    spacing="2",
                    width="100%",
                ),
            ),
            spacing="2",
            width="100%",
        ),
    )


def _option(label: str, key: str, value: Any, placeholder: str, *, multiline: bool = False) -> rx.Component:
    field_id = f"opt-{key}"
    widget = (rx.text_area(id=field_id, value=value, on_change=lambda v: EditorState.set_option(key, v),
                           placeholder=placeholder, rows="2", width="100%", font_family="var(--code-font-family)")
              if multiline else
              rx.input(id=field_id, value=value, on_change=lambda v: EditorState.set_option(key, v),
                       placeholder=placeholder, width="100%"))
    return rx.vstack(rx.el.label(label, html_for=field_id, style={"fontSize": "0.8em", "fontWeight": 500}), widget,
                     spacing="1", width="100%")


def test_options() -> rx.Component:
    return rx.vstack(
        rx.text("This test's own settings (win over everything below; leave empty to inherit)", size="2",
                weight="medium"),
        _option("Base URL", "base_url", EditorState.opt_base_url, "inherit"),
        rx.hstack(
            _option("Test timeout (ms)", "timeout_ms", EditorState.opt_timeout_ms, "inherit"),
            _option("Step timeout (ms)", "step_timeout_ms", EditorState.opt_step_timeout_ms, "inherit"),
            width="100%",
        ),
        _option("Variables (NAME=value per line)", "variables", EditorState.opt_variables, "USER=qa", multiline=True),
        _option("Headers (Name: value per line)", "headers", EditorState.opt_headers, "X-Test: 1", multiline=True),
        rx.text("The table shows saved values; save to see your changes in it.", size="1", color_scheme="gray"),
        spacing="2",
        width="100%",
    )


def settings_panel() -> rx.Component:
    return rx.vstack(
        test_options(),
        rx.divider(),
        rx.hstack(
            rx.text("Environment", size="2"),
            rx.select.root(
                rx.select.trigger(aria_label="Environment for the effective settings"),
                rx.select.content(rx.foreach(EditorState.env_choices,
                                             lambda e: rx.select.item(e["name"], value=e["id"]))),
                value=EditorState.env_id,
                on_change=EditorState.set_env,
                size="1",
            ),
            align="center",
            spacing="2",
        ),
        rx.text("The value each setting has when this test runs, and where it comes from "
                "(test > folder > parent folders > project > environment > default).",
                size="1", color_scheme="gray"),
        rx.table.root(
            rx.table.header(rx.table.row(rx.table.column_header_cell("Setting"), rx.table.column_header_cell("Value"),
                                         rx.table.column_header_cell("From"))),
            rx.table.body(rx.foreach(EditorState.settings_rows, lambda r: rx.table.row(
                rx.table.cell(rx.code(r["setting"], size="1")),
                rx.table.cell(rx.text(r["value"], size="1", word_break="break-all")),
                rx.table.cell(rx.vstack(
                    rx.badge(r["source"], variant="soft",
                             color_scheme=rx.cond(r["source"] == "default", "gray", "indigo")),
                    rx.cond(r["overridden"] != "", rx.text("overrides ", r["overridden"], size="1",
                                                            color_scheme="gray")),
                    spacing="1",
                )),
            ))),
            size="1",
            width="100%",
            custom_attrs={"data-testid": "settings-table"},
        ),
        spacing="2",
        width="100%",
    )
