# mypy: disable-error-code="operator"
"""The test page's small panel: the test's open defects and its custom field values."""

from __future__ import annotations

import reflex as rx

from traceiq_app.components.catalog.catalog_bits import field_error
from traceiq_app.components.defects.bits import custom_input, status_badge
from traceiq_app.state.defects.test_panel import TestDefectsState as T


def test_defects_panel() -> rx.Component:
    return rx.cond(T.tid != "", rx.card(rx.vstack(
        rx.heading("Open defects", size="3"),
        rx.cond(T.defects.length() > 0,
                rx.vstack(rx.foreach(T.defects, lambda d: rx.hstack(
                    rx.link(d["key"], href=d["href"], size="2"), status_badge(d["status_label"], d["status"]),
                    rx.text(d["title"], size="2", truncate=True, max_width="14em"), spacing="2", align="center",
                    data_test_defect=d["key"])), spacing="1"),
                rx.text("None.", size="2", color_scheme="gray")),
        rx.cond(T.fields.length() > 0, rx.form(
            rx.vstack(rx.heading("Custom fields", size="3"), rx.foreach(T.fields, custom_input),
                      field_error(T.form_error),
                      rx.cond(T.can_write, rx.button("Save fields", size="1", type="submit")),
                      spacing="2", width="100%"),
            on_submit=T.save_values, width="100%")),
        spacing="2", width="100%", id="test-defects-panel",
    ), width="100%", margin_top="0.75em"))
