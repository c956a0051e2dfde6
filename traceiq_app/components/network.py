"""The allowlist form shared by the organization and project settings pages: a text area (one
host per line), the field's error under it (the text area keeps what was typed), and Save."""

from __future__ import annotations

from typing import Any

import reflex as rx

HOSTS_HELP = ("One entry per line: a host (shop.example.com), a wildcard (*.example.com) or host:port "
              "(localhost:8080). A pasted URL is reduced to its host.")


def hosts_form(input_id: str, text: Any, error: Any, can_write: Any, on_submit: Any, label: str) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label(label, html_for=input_id, style={"fontWeight": 500, "fontSize": "0.9em"}),
            rx.text_area(id=input_id, name="allowed_hosts", default_value=text, rows="5", width="100%",
                         font_family="var(--code-font-family)", read_only=~can_write,
                         placeholder="empty: any host", aria_invalid=rx.cond(error != "", "true", "false"),
                         aria_describedby=input_id + "-error"),
            rx.cond(error != "", rx.text(error, id=input_id + "-error", color_scheme="red", size="2", role="alert")),
            rx.text(HOSTS_HELP, size="1", color_scheme="gray"),
            rx.cond(can_write, rx.button("Save allowed hosts", type="submit")),
            spacing="2",
            width="100%",
        ),
        on_submit=on_submit,
        width="100%",
    )


def rule_row(title: str, description: str, checked: Any, disabled: Any, on_change: Any, switch_id: str) -> rx.Component:
    return rx.hstack(
        rx.switch(id=switch_id, checked=checked, disabled=disabled, on_change=on_change),
        rx.vstack(
            rx.el.label(title, html_for=switch_id, style={"fontWeight": 500}),
            rx.text(description, size="1", color_scheme="gray"),
            spacing="0",
        ),
        align="start",
        spacing="3",
    )
