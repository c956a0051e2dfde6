"""The "Run tests" dialog (state: traceiq_app.state.runs.run_dialog.RunDialogState). Radix
controls throughout (checkboxes, selects): inside the form each renders a hidden native input
named like the field, so the form's data reads as before ("suite:<id>": "on", "video": "failures")."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.state.runs.run_dialog import BROWSERS, VIDEO_CHOICES, RunDialogState


def _check(name: Any, label: Any, checked: Any = False) -> rx.Component:
    return rx.checkbox(label, name=name, default_checked=checked, size="2",
                       style={"display": "flex", "fontSize": "0.9em", "minWidth": "0"})


def _checks(title: str, items: Any, prefix: str, *, key: str = "id", label: str = "name",
            checked: Any = None) -> rx.Component:
    """Checkboxes named `prefix + item[key]`; `checked(item)` gives the initial tick (the
    dialog's content mounts on open, so it applies every time the dialog opens)."""
    return rx.vstack(
        rx.text(title, weight="medium", size="2"),
        rx.vstack(
            rx.foreach(items, lambda it: _check(prefix + it[key], it[label],
                                                checked(it) if checked is not None else False)),
            max_height="9em", overflow_y="auto", width="100%", spacing="1",
        ),
        spacing="1", width="100%", min_width="0",
    )


def run_dialog_button(project_id: Any) -> rx.Component:
    # Both arguments given: a missing trailing one would receive the click event.
    return rx.button(rx.icon("play", size=16), "Run tests",
                     on_click=RunDialogState.open_dialog(project_id, ""))  # type: ignore[operator]


def run_folder_button(project_id: Any, suite_id: Any) -> rx.Component:
    """Opens the dialog with the folder `suite_id` ticked (runs its tests and its sub-folders')."""
    return rx.button(rx.icon("play", size=14), "Run this folder", variant="soft", size="2",
                     on_click=RunDialogState.open_dialog(project_id, suite_id))  # type: ignore[operator]


def run_selected_button(project_id: Any, test_ids: Any) -> rx.Component:
    """Opens the dialog with the tests `test_ids` ticked (the tests list's selection)."""
    return rx.button(rx.icon("play", size=14), "Run ", test_ids.length(), " selected", size="2",
                     id="run-selected",
                     on_click=RunDialogState.open_with_tests(project_id, test_ids))  # type: ignore[operator]


def _labelled(label: str, control: rx.Component, html_for: str) -> rx.Component:
    return rx.vstack(rx.el.label(label, html_for=html_for, style={"fontSize": "0.9em"}), control, spacing="1")


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
                        _checks("Tests", RunDialogState.tests, "test:",
                                checked=lambda it: RunDialogState.preselected_tests.contains(it["id"])),
                        rx.vstack(
                            rx.text("Tags", weight="medium", size="2"),
                            rx.foreach(RunDialogState.tags, lambda t: _check("tag:" + t, t)),
                            spacing="1", min_width="0",
                        ),
                        columns=rx.breakpoints(initial="1", sm="3"), spacing="4", width="100%",
                    ),
                    rx.flex(
                        _labelled("Environment", rx.select.root(
                            rx.select.trigger(id="run-env", aria_label="Environment", min_width="9em"),
                            rx.select.content(
                                rx.select.item("(none)", value="none"),
                                rx.foreach(RunDialogState.environments,
                                           lambda e: rx.select.item(e["name"], value=e["id"])),
                            ),
                            name="environment_id", default_value=RunDialogState.env_default,
                        ), "run-env"),
                        _labelled("Video", rx.select.root(
                            rx.select.trigger(id="run-video", aria_label="Video", min_width="8em"),
                            rx.select.content(*[rx.select.item(text, value=value) for value, text in VIDEO_CHOICES]),
                            name="video", default_value=RunDialogState.video_default,
                        ), "run-video"),
                        rx.vstack(
                            rx.text("Browsers", size="2"),
                            rx.hstack(*[_check(f"browser:{b}", b, b == "chromium") for b in BROWSERS], spacing="3"),
                            spacing="1",
                        ),
                        _labelled("Retries", rx.input(id="run-retries", name="retries", type="number", min=0, max=5,
                                                      default_value="0", width="5em"), "run-retries"),
                        _labelled("Parallelism", rx.input(id="run-par", name="parallelism", type="number", min=1,
                                                          max=64, placeholder="all", width="6em"), "run-par"),
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
