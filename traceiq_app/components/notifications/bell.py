# mypy: disable-error-code="operator"
"""The navbar bell: unread count badge, a popover with the latest in-app notifications."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.state.notifications.bell import BellState


def _item(n: Any) -> rx.Component:
    return rx.link(
        rx.vstack(
            rx.hstack(rx.cond(n["unread"] != "", rx.box(width="0.5em", height="0.5em", border_radius="50%",
                                                          background=rx.color("accent", 9), flex_shrink="0")),
                      rx.text(n["title"], size="2", weight="medium",
                              style={"overflow": "hidden", "textOverflow": "ellipsis", "whiteSpace": "nowrap"}),
                      align="center", spacing="2", width="100%", min_width="0"),
            rx.text(n["body"], size="1", color_scheme="gray", style={"overflowWrap": "anywhere"}),
            rx.text(n["at"], size="1", color_scheme="gray"),
            spacing="0", width="100%",
        ),
        href=rx.cond(n["url"] != "", n["url"], "#"), underline="none", color="inherit", width="100%",
    )


def bell() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon("bell", size=16),
                rx.cond(BellState.unread > 0, rx.badge(BellState.unread, color_scheme="red", variant="solid",
                                                       radius="full", custom_attrs={"data-testid": "bell-unread"})),
                variant="ghost", aria_label="Your notifications", on_mount=BellState.load_bell,
                on_click=BellState.load_bell,
            ),
        ),
        rx.popover.content(
            rx.vstack(
                rx.hstack(rx.text("Notifications", weight="bold"), rx.spacer(),
                          rx.button("Mark all read", size="1", variant="soft", on_click=BellState.mark_all_read),
                          width="100%", align="center"),
                rx.cond(BellState.items.length() > 0,
                        rx.vstack(rx.foreach(BellState.items, _item), spacing="3", width="100%"),
                        rx.text("Nothing yet. Choose what you want here on a project's Notifications page.",
                                size="2", color_scheme="gray")),
                spacing="3", width="100%",
            ),
            width="min(22em, 90vw)",
        ),
    )
