"""Shared pieces of the analytics pages: a chart card, a truncated name, outcome badges."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import reflex as rx

PLOT_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def chart(figure: Any, chart_id: str, on_click: Any = None) -> rx.Component:
    props: dict[str, Any] = {"on_click": on_click} if on_click is not None else {}
    if isinstance(figure, rx.Var):
        figure = figure.to(go.Figure)  # our figures are Plotly JSON dicts (components/analytics/figures.py)
    return rx.card(
        # config.responsive resizes the chart with the window; react-plotly's resize handler would
        # only add a second listener and relayout every chart once more right after it is drawn.
        rx.plotly.basic(data=figure, config=PLOT_CONFIG, use_resize_handler=False, width="100%", height="280px",
                        id=f"chart-{chart_id}", **props),
        width="100%", min_width="0", data_chart=chart_id,
    )


def truncated(text: Any, href: Any = None, max_width: str = "22em") -> rx.Component:
    style = {"overflow": "hidden", "textOverflow": "ellipsis", "whiteSpace": "nowrap", "maxWidth": max_width,
             "display": "block"}
    inner = rx.text(text, title=text, style=style, size="2")
    return rx.link(inner, href=href) if href is not None else inner


def scroll_x(*children: rx.Component) -> rx.Component:
    return rx.box(*children, width="100%", overflow_x="auto")
