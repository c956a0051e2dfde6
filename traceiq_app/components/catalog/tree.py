# mypy: disable-error-code="operator"
# (Reflex event handlers called on the State CLASS to build event specs type as EventNamespace.)
"""The suite tree of the project page: nested folders as an indented, keyboard-friendly list."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.state.catalog.suites import ROOT, SuitesState


def _row(label: rx.Component, selected: Any, on_click: Any, indent: Any, count: Any, test_id: Any) -> rx.Component:
    return rx.el.button(
        rx.hstack(label, rx.spacer(min_width="0.25em"), *([rx.badge(count, variant="soft", color_scheme="gray")] if not (isinstance(count, str) and count == "") else []),
                  align="center", width="100%", min_width="0"),
        on_click=on_click,
        aria_pressed=selected,
        custom_attrs={"data-testid": test_id},
        style={
            "all": "unset", "boxSizing": "border-box", "display": "block", "width": "100%", "cursor": "pointer",
            "padding": "0.35em 0.75em", "paddingLeft": indent, "borderRadius": "var(--radius-2)",
        },
        background=rx.cond(selected, rx.color("accent", 4), "transparent"),
        _hover={"background": rx.color("accent", 3)},
        _focus_visible={"outline": f"2px solid {rx.color('accent', 8)}"},
    )


def suite_tree() -> rx.Component:
    return rx.vstack(
        _row(rx.hstack(rx.icon("inbox", size=16), rx.text("Not in a folder", size="2"), align="center"),
             SuitesState.selected == "", SuitesState.select_suite(ROOT), "0.75em", "", "suite-root"),
        rx.foreach(
            SuitesState.tree,
            lambda node: _row(
                rx.hstack(rx.icon("folder", size=16, flex_shrink="0"),
                          rx.text(node["name"], size="2", title=node["name"], overflow="hidden",
                                  text_overflow="ellipsis", white_space="nowrap", min_width="0"),
                          align="center", min_width="0"),
                SuitesState.selected == node["id"],
                SuitesState.select_suite(node["id"]),
                node["indent"],
                node["tests"],
                "suite-" + node["name"],
            ),
        ),
        spacing="1",
        width="100%",
        role="list",
        aria_label="Folders",
    )
