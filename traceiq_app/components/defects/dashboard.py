# mypy: disable-error-code="operator"
"""The analytics dashboard's defects section (open by severity, weekly trend)."""

from __future__ import annotations

import reflex as rx

from traceiq_app.components.analytics.bits import chart
from traceiq_app.state.defects.dashboard import DefectDashState as D


def defects_section() -> rx.Component:
    return rx.cond(D.shown, rx.vstack(
        rx.hstack(rx.heading("Defects", size="4"),
                  rx.link("all defects", href="/projects/" + D.pid + "/defects", size="2"), align="center"),
        rx.flex(rx.foreach(D.by_severity, lambda s: rx.card(rx.vstack(
            rx.text(s["severity"], size="1", color_scheme="gray"),
            rx.text(s["count"], size="4", weight="bold"), spacing="0"), min_width="6em",
            data_open_severity=s["severity"])), spacing="2", wrap="wrap", id="defects-by-severity"),
        chart(D.fig_trend, "defect_trend"),
        spacing="3", width="100%",
    ))
