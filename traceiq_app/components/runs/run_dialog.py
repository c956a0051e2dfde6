"""The "Run tests" dialog (state: traceiq_app.state.runs.run_dialog.RunDialogState)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.state.runs.run_dialog import BROWSERS, RunDialogState


def _checks(title: str, items: Any, prefix: str, *, key: str = "id", label: str = "name",
            checked: Any = None) -> rx.Component:
    """Checkboxes named `prefix + item[key]`; `checked(item)` gives the initial tick (the
    dialog's content mounts on open, so it applies every time the dialog opens)."""
    return rx.vstack(
        rx.text(title, weight="medium", size="2"),
        rx.box(
            rx.foreach(items, lambda it: rx.el.label(
                rx.el.input(type="checkbox", name=prefix + it[key],
                            default_checked=checked(it) if checked is not None else False), " ", it[label],
                style={"display": "block", "fontSize": "0.9em"})),
            max_height="9em", overflow_y="auto", width="100%",
        ),
        spacing="1", width="100%",
    )


def run_dialog_button(project_id: Any) -> rx.Component:
    # Both arguments given: a missing trailing one would receive the click event.
    return rx.button(rx.icon("play", size=16), "Run tests",
                     on_click=RunDialogState.open_dialog(project_id, ""))  # type: ignore[operator]


def run_folder_button(project_id: Any, suite_id: Any) -> rx.Component:
    """Opens the dialog with the folder `suite_id` ticked (runs its tests and its sub-folders')."""
    return rx.button(rx.icon("play", size=14), "Run this folder", variant="soft", size="2",
                     on_click=RunDialogState.open_dialog(project_id, suite_id))  # type: ignore[operator]


def run_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Run tests"),
            rx.dialog.description("Nothing picked = every test of the project.", size="2", color_scheme="gray"),
            rx.form(
                rx.vstack(
                    rx.grid(
                        _checks("Folders", RunDialogState.suites, "suite:",
                                checked=lambda it: it["id"] == RunDialogState.preselected),
                        _checks("Tests", RunDialogState.tests, "test:"),
                        rx.vstack(
                            rx.text("Tags", weight="medium", size="2"),
                            rx.foreach(RunDialogState.tags, lambda t: rx.el.label(
                                rx.el.input(type="checkbox", name="tag:" + t), " ", t,
                                style={"display": "block", "fontSize": "0.9em"})),
                            spacing="1",
                        ),
                        columns="3", spacing="4", width="100%",
                    ),
                    rx.hstack(
                        rx.vstack(
                            rx.el.label("Environment", html_for="run-env", style={"fontSize": "0.9em"}),
                            rx.el.select(
                                rx.el.option("(none)", value="none"),
                                rx.foreach(RunDialogState.environments,
                                           lambda e: rx.el.option(e["name"], value=e["id"])),
                                id="run-env", name="environment_id", aria_label="Environment",
                                default_value=RunDialogState.env_default, style={"padding": "0.3em"},
                            ),
                            spacing="1",
                        ),
                        rx.vstack(
                            rx.text("Browsers", size="2"),
                            rx.hstack(*[rx.el.label(rx.el.input(type="checkbox", name=f"browser:{b}",
                                                                default_checked=b == "chromium"), " ", b,
                                                    style={"fontSize": "0.9em"}) for b in BROWSERS], spacing="3"),
                            spacing="1",
                        ),
                        rx.vstack(
                            rx.el.label("Retries", html_for="run-retries", style={"fontSize": "0.9em"}),
                            rx.input(id="run-retries", name="retries", type="number", min=0, max=5,
                                     default_value="0", width="5em"),
                            spacing="1",
                        ),
                        rx.vstack(
                            rx.el.label("Parallelism", html_for="run-par", style={"fontSize": "0.9em"}),
                            rx.input(id="run-par", name="parallelism", type="number", min=1, max=64,
                                     placeholder="all", width="6em"),
                            spacing="1",
                        ),
                        spacing="4", wrap="wrap", align="end",
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray", type="button")),
                        rx.button(rx.icon("play", size=16), "Start run", type="submit"),
                        justify="end", width="100%", spacing="3",
                    ),
                    spacing="4", width="100%",
                ),
                on_submit=RunDialogState.start,
            ),
            max_width="52em",
        ),
        open=RunDialogState.open,
        on_open_change=RunDialogState.set_open,
    )
