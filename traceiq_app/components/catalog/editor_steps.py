# mypy: disable-error-code="operator"
# (Reflex event handlers called on the State CLASS to build event specs type as EventNamespace.)
"""The editor's step list: one card per step with a form for its action's fields, a locator
editor with ordered fallback alternatives, and move / duplicate / delete controls
(Alt+ArrowUp / Alt+ArrowDown on a step's header moves it)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import key_event
from reflex_components_core.el.elements.typography import Div

from traceiq_app.components.catalog.catalog_bits import choice
from traceiq_app.engine.model import LOCATOR_KINDS
from traceiq_app.state.catalog.editor import EditorState
from traceiq_app.state.catalog.locator_advice import LocatorAdviceState


class KeyDiv(Div):
    """A <div> that reports key presses (Reflex's own Div has no on_key_down trigger)."""

    on_key_down: rx.EventHandler[key_event]  # type: ignore[type-arg,valid-type]


def _error(message: Any) -> rx.Component:
    return rx.cond(message != "", rx.text(message, color_scheme="red", size="1", role="alert"))


# Text inputs are uncontrolled (default_value + on_change, keyed by the step and action): a
# controlled input (value=) took the server's echo of an earlier keystroke as its new value and
# lost what was typed meanwhile ("#no-such-button" typed key by key arrived as "#").
def _field(step: Any, i: Any, f: Any) -> rx.Component:
    field_id = "f-" + step.uid + "-" + f.key
    key = field_id + "-" + step.action
    on_text = lambda v: EditorState.set_field(i, f.key, v)  # noqa: E731
    widget = rx.match(
        f.kind,
        ("bool", rx.switch(id=field_id, checked=f.value == "true",
                           on_change=lambda v: EditorState.set_bool(i, f.key, v))),
        ("select", choice(f.options, f.value, on_text, label=f.label, id=field_id)),
        ("textarea", rx.text_area(id=field_id, key=key, default_value=f.value, on_change=on_text,
                                  placeholder=f.placeholder, rows="3", width="100%",
                                  font_family="var(--code-font-family)")),
        ("lines", rx.text_area(id=field_id, key=key, default_value=f.value, on_change=on_text,
                               placeholder=f.placeholder, rows="2", width="100%")),
        ("json", rx.text_area(id=field_id, key=key, default_value=f.value, on_change=on_text,
                              placeholder=f.placeholder, rows="2", width="100%", font_family="var(--code-font-family)")),
        rx.input(id=field_id, key=key, default_value=f.value, on_change=on_text, placeholder=f.placeholder,
                 width="100%", input_mode=rx.cond(f.kind == "number", "numeric", "text"),
                 aria_invalid=f.error != ""),
    )
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.el.label(f.label, html_for=field_id, style={"fontSize": "0.8em", "fontWeight": 500}),
                rx.cond(f.required, rx.text("*", color_scheme="red", size="1", title="required")),
                spacing="1",
            ),
            widget,
            _error(f.error),
            spacing="1",
            width="100%",
        ),
        flex=rx.cond((f.kind == "bool") | (f.kind == "number"), "0 1 10em", "1 1 16em"),
        min_width="9em",
        custom_attrs={"data-field": f.key},
    )


def _alternative(step: Any, i: Any, target: Any, alt: Any, j: Any) -> rx.Component:
    prefix = "alt-" + step.uid + "-" + target.key + "-" + j.to_string()
    set_ = lambda prop: lambda v: [EditorState.set_alt(i, target.key, j, prop, v),  # noqa: E731
                                   LocatorAdviceState.check(i, target.key)]  # type: ignore[misc]
    return rx.vstack(
        rx.hstack(
            rx.badge(rx.cond(j == 0, "1st", "fallback " + j.to_string()), variant="soft",
                     color_scheme=rx.cond(j == 0, "indigo", "gray")),
            choice(list(LOCATOR_KINDS), alt.kind, set_("kind"), label="Locator kind", size="1"),
            rx.input(default_value=alt.value, key=alt.uid + "-value", on_change=set_("value"),
                     placeholder=alt.placeholder, size="1", width="100%", id=prefix + "-value",
                     aria_label="Locator value", aria_invalid=alt.error != ""),
            rx.cond(alt.kind == "role", rx.input(default_value=alt.name, key=alt.uid + "-name", on_change=set_("name"),
                                                 placeholder="accessible name", size="1",
                                                 aria_label="Accessible name", width="12em")),
            rx.input(default_value=alt.extra, key=alt.uid + "-extra", on_change=set_("extra"),
                     placeholder='options {"nth": 0}', size="1", width="10em", aria_label="Locator options (JSON)",
                     font_family="var(--code-font-family)"),
            rx.icon_button(rx.icon("arrow-up", size=12), size="1", variant="ghost", aria_label="Try this one earlier",
                           on_click=EditorState.move_alt(i, target.key, j, -1), disabled=j == 0),
            rx.icon_button(rx.icon("arrow-down", size=12), size="1", variant="ghost", aria_label="Try this one later",
                           on_click=EditorState.move_alt(i, target.key, j, 1),
                           disabled=j == target.alternatives.length() - 1),
            rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost", color_scheme="red",
                           aria_label="Remove this alternative", on_click=EditorState.remove_alt(i, target.key, j)),
            align="center",
            spacing="2",
            width="100%",
        ),
        _error(alt.error),
        spacing="1",
        width="100%",
    )


def _advice(step: Any, target: Any) -> rx.Component:
    """The inline locator advice for this target (state/catalog/locator_advice.py), if any."""
    key = step.uid + ":" + target.key
    advice = LocatorAdviceState.advice[key]
    return rx.cond(
        LocatorAdviceState.advice.contains(key),
        rx.callout.root(
            rx.callout.icon(rx.icon("lightbulb", size=14)),
            rx.callout.text(rx.text.strong("Fragile locator: "), advice["message"], ". ",
                            rx.text.strong("Better: "), advice["suggestion"], "."),
            color_scheme="amber", size="1", width="100%", custom_attrs={"data-locator-advice": target.key},
        ),
    )


def _target(step: Any, i: Any, target: Any) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.text(target.label, size="1", weight="medium"),
                rx.cond(target.required, rx.text.span("*", color_scheme="red", size="1")),
                rx.text("— tried in order; the first that finds the element wins", size="1", color_scheme="gray"),
                spacing="1",
                align="center",
            ),
            rx.foreach(target.alternatives, lambda alt, j: _alternative(step, i, target, alt, j)),
            _advice(step, target),
            rx.button(rx.icon("plus", size=12), rx.cond(target.alternatives.length() == 0, "Add a locator",
                                                         "Add a fallback"),
                      size="1", variant="soft", on_click=EditorState.add_alt(i, target.key)),
            _error(target.error),
            spacing="2",
            width="100%",
        ),
        padding="0.6em",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="var(--radius-3)",
        width="100%",
    )


def step_card(step: Any, i: Any) -> rx.Component:
    header = rx.hstack(
        rx.badge(i + 1, variant="solid", radius="full"),
        choice(EditorState.action_choices, step.action, lambda v: EditorState.set_action(i, v), label="Action",
               size="1"),
        # No leading trim here: with overflow hidden it clipped descenders ("goto" read "ɑoto").
        rx.text(step.summary, size="2", color_scheme="gray", overflow="hidden", white_space="nowrap",
                text_overflow="ellipsis", max_width="28em", min_width="0", flex="0 1 auto", title=step.summary,
                custom_attrs={"data-testid": "step-summary"}),
        rx.cond(step.problems > 0, rx.badge(rx.icon("circle-alert", size=12), step.problems, " to fix",
                                            color_scheme="red", variant="soft")),
        rx.spacer(),
        rx.icon_button(rx.icon("arrow-up", size=14), size="1", variant="ghost", aria_label="Move step up",
                       on_click=EditorState.move_step(i, -1), disabled=i == 0),
        rx.icon_button(rx.icon("arrow-down", size=14), size="1", variant="ghost", aria_label="Move step down",
                       on_click=EditorState.move_step(i, 1), disabled=i == EditorState.steps.length() - 1),
        rx.icon_button(rx.icon("copy", size=14), size="1", variant="ghost", aria_label="Duplicate step",
                       on_click=EditorState.duplicate_step(i)),
        rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost", color_scheme="red",
                       aria_label="Delete step", on_click=EditorState.delete_step(i)),
        align="center",
        spacing="2",
        width="100%",
    )
    header = KeyDiv.create(
        header,
        id="step-" + step.uid,
        tab_index=0,
        role="group",
        aria_label="Step " + (i + 1).to_string() + ": " + step.summary + " (Alt+Arrow keys move it)",
        on_key_down=lambda key, info: EditorState.step_key(i, key, info),
        style={"width": "100%", "outlineOffset": "4px", "borderRadius": "var(--radius-2)"},
    )
    return rx.card(
        rx.vstack(
            header,
            rx.foreach(step.targets, lambda t: _target(step, i, t)),
            rx.flex(rx.foreach(step.fields, lambda f: _field(step, i, f)), wrap="wrap", spacing="3", width="100%"),
            rx.cond(step.advanced != "", rx.vstack(
                rx.text("Advanced (JSON: page, expect_navigation, source_line…)", size="1", color_scheme="gray"),
                rx.text_area(default_value=step.advanced, key=step.uid + "-advanced",
                             on_change=lambda v: EditorState.set_advanced(i, v), rows="1",
                             width="100%", font_family="var(--code-font-family)", aria_label="Advanced step options"),
                spacing="1", width="100%",
            )),
            rx.cond(step.error != "", rx.callout(step.error, icon="circle-alert", color_scheme="red", size="1",
                                                 role="alert", width="100%")),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "step-card"},
        border_left=rx.cond(step.problems > 0, f"3px solid {rx.color('red', 9)}", f"3px solid {rx.color('accent', 7)}"),
    )


def step_list() -> rx.Component:
    return rx.vstack(
        rx.foreach(EditorState.steps, step_card),
        rx.hstack(
            choice(EditorState.action_choices, EditorState.add_action, EditorState.set_add_action,
                   label="Action of the new step"),
            rx.button(rx.icon("plus", size=16), "Add step", on_click=EditorState.add_step, variant="soft"),
            spacing="2",
            align="center",
        ),
        spacing="3",
        width="100%",
    )
