# mypy: disable-error-code="operator,call-overload,attr-defined"
"""The execution settings form of the project settings page (state:
traceiq_app.state.catalog.execution_settings.ExecutionSettingsState): one layer at a time."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.catalog.settings_forms import BROWSERS, INHERIT
from traceiq_app.state.catalog.execution_settings import ExecutionSettingsState as S

VIDEO = ((INHERIT, "Inherit"), ("off", "Off"), ("failures", "On failure"), ("on", "Always"))


def _field(name: str, label: str, hint: str, *, area: bool = False, placeholder: str = "") -> rx.Component:
    common: dict[str, Any] = {
        "id": f"settings-{name}", "name": name, "default_value": S.values[name], "placeholder": placeholder,
        "width": "100%", "disabled": ~S.can_edit,
        "color_scheme": rx.cond(S.form_field == name, "red", "gray"),
        "aria_invalid": rx.cond(S.form_field == name, "true", "false"),
    }
    control = rx.text_area(rows="3", **common) if area else rx.input(**common)
    return rx.vstack(
        rx.el.label(label, html_for=f"settings-{name}", style={"fontSize": "0.9em", "fontWeight": "500"}),
        control,
        rx.text(hint, size="1", color_scheme="gray"),
        spacing="1", width="100%", min_width="0",
    )


def execution_settings_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Execution settings", size="4"),
            rx.text("What every test of the project — or of one folder and its sub-folders — runs with. Empty "
                    "fields inherit: a folder from its parent folder, then the project; an environment and the "
                    "test itself come last.", size="2"),
            rx.hstack(
                rx.el.label("Settings of", html_for="settings-layer", style={"fontSize": "0.9em"}),
                rx.select.root(
                    rx.select.trigger(id="settings-layer", aria_label="Settings of", max_width="100%"),
                    rx.select.content(rx.foreach(S.layers, lambda x: rx.select.item(x["name"], value=x["id"]))),
                    value=S.layer, on_change=S.choose_layer,
                ),
                align="center", wrap="wrap", spacing="2",
            ),
            rx.fragment(rx.form(
                rx.grid(
                    _field("base_url", "Base URL", "Relative URLs in steps start here.",
                           placeholder="https://shop.example.com"),
                    _field("viewport", "Viewport", "WIDTHxHEIGHT in pixels.", placeholder="1280x800"),
                    _field("headers", "Headers", "One per line: Name: value", area=True,
                           placeholder="X-Team: checkout"),
                    _field("variables", "Variables", "One per line: NAME=value (${NAME} in steps)", area=True,
                           placeholder="USER=alice"),
                    _field("cookies", "Cookies", "One per line: name=value; domain=example.com", area=True),
                    rx.vstack(
                        _field("test_timeout_ms", "Test timeout (ms)", "Whole test.", placeholder="inherit"),
                        _field("step_timeout_ms", "Step timeout (ms)", "Each step.", placeholder="inherit"),
                        _field("navigation_timeout_ms", "Navigation timeout (ms)", "Each page load.",
                               placeholder="inherit"),
                        spacing="2", width="100%",
                    ),
                    columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
                ),
                rx.flex(
                    rx.vstack(
                        rx.text("Browsers", size="2", weight="medium"),
                        rx.hstack(*[rx.checkbox(b, name=f"browser:{b}", disabled=~S.can_edit,
                                                default_checked=S.values["browsers"].split(",").contains(b))
                                    for b in BROWSERS], spacing="3"),
                        rx.text("None ticked: inherit (default chromium).", size="1", color_scheme="gray"),
                        spacing="1",
                    ),
                    rx.vstack(
                        rx.el.label("Video", html_for="settings-video", style={"fontSize": "0.9em", "fontWeight": "500"}),
                        rx.select.root(
                            rx.select.trigger(id="settings-video", aria_label="Video default", min_width="9em"),
                            rx.select.content(*[rx.select.item(t, value=v) for v, t in VIDEO]),
                            name="video", default_value=S.values["video"], disabled=~S.can_edit,
                        ),
                        rx.text("The run dialog's default.", size="1", color_scheme="gray"),
                        spacing="1",
                    ),
                    spacing="5", wrap="wrap", margin_top="1em",
                ),
                rx.cond(S.form_error != "", rx.callout(S.form_error, icon="triangle-alert", color_scheme="red",
                                                       size="1", margin_top="1em", id="settings-error")),
                rx.cond(S.can_edit,
                        rx.button("Save settings", type="submit", margin_top="1em"),
                        rx.text("Only editors (folders) and admins (the project) can change these.", size="2",
                                color_scheme="gray", margin_top="1em")),
                on_submit=S.save,
                width="100%",
                key=S.layer + "-" + S.generation.to_string(),
            )),
            spacing="3", width="100%",
        ),
        width="100%",
    )
