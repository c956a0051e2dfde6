"""The app shell: navbar (logo, navigation, org switcher, user menu, color-mode toggle) around
page content. Pages call `app_shell(content)`; public pages (sign-in, ...) use `auth_card`.

Sign-out is a plain HTML form POSTing to /api/auth/logout (same-origin; the cookie is HttpOnly).
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_components_core.el.elements.base import BaseHTML

from traceiq_app.components.notifications.bell import bell
from traceiq_app.state.accounts.auth import AuthState


class NativeForm(BaseHTML):
    """A plain HTML <form> the browser submits itself (rx.form / rx.el.form always
    preventDefault and route the submit through Reflex). For sign-in/out: the request goes
    straight to an /api route that sets or clears the HttpOnly cookie and redirects."""

    tag = "form"
    action: rx.Var[str]
    method: rx.Var[str]


native_form = NativeForm.create

NAV_LINKS: list[tuple[str, str]] = [
    ("Projects", "/projects"),
    ("Defects", "/defects"),
    ("API tokens", "/settings/tokens"),
    ("Members", "/settings/members"),
    ("Audit log", "/settings/audit"),
    ("Organization", "/settings/organization"),
    ("System", "/settings/system"),
]


def sign_out_form(label: str = "Sign out", everywhere: bool = False) -> rx.Component:
    action = "/api/auth/logout?redirect=1" + ("&everywhere=true" if everywhere else "")
    return native_form(
        rx.el.button(label, type="submit", style={"all": "unset", "cursor": "pointer", "width": "100%"}),
        action=action,
        method="post",
    )


def user_menu() -> rx.Component:
    return rx.cond(
        AuthState.signed_in,
        rx.menu.root(
            rx.menu.trigger(
                rx.button(rx.icon("user", size=16),
                          rx.text(AuthState.user_email, display=["none", "none", "inline"], max_width="16em",
                                  overflow="hidden", text_overflow="ellipsis", white_space="nowrap"),
                          variant="soft", aria_label="User menu", title=AuthState.user_email),
            ),
            rx.menu.content(
                rx.menu.item(rx.text(AuthState.org_name, " · ", AuthState.org_role), disabled=True),
                rx.foreach(
                    AuthState.orgs,
                    lambda org: rx.menu.item(org["name"], on_select=AuthState.select_org(org["id"])),  # type: ignore[operator]
                ),
                rx.menu.separator(),
                rx.menu.item(rx.link("API tokens", href="/settings/tokens")),
                rx.menu.item(rx.link("Change password", href="/settings/password")),
                rx.menu.item(rx.link("Security", href="/settings/security")),
                rx.menu.separator(),
                rx.menu.item(sign_out_form()),
                rx.menu.item(sign_out_form("Sign out everywhere", everywhere=True), color="red"),
            ),
        ),
        rx.link(rx.button("Sign in", variant="soft"), href="/login"),
    )


def nav_menu() -> rx.Component:
    """Below 1024 px the navigation links collapse into this menu (the same NAV_LINKS)."""
    return rx.menu.root(
        rx.menu.trigger(rx.icon_button(rx.icon("menu", size=18), variant="soft", aria_label="Navigation menu")),
        rx.menu.content(*[rx.menu.item(rx.link(label, href=href, width="100%")) for label, href in NAV_LINKS]),
    )


def navbar() -> rx.Component:
    return rx.hstack(
        rx.link(rx.heading("TraceIQ", size="5"), href="/", underline="none"),
        rx.cond(
            AuthState.signed_in,
            rx.fragment(
                rx.hstack(*[rx.link(label, href=href) for label, href in NAV_LINKS], spacing="4",
                          display=["none", "none", "none", "flex"]),
                rx.box(nav_menu(), display=["block", "block", "block", "none"]),
            ),
        ),
        rx.spacer(),
        rx.cond(AuthState.signed_in, bell()),
        rx.color_mode.button(aria_label="Toggle color mode"),
        user_menu(),
        align="center",
        spacing="4",
        padding_x=["0.75em", "1em", "1.5em"],
        padding_y="0.75em",
        border_bottom="1px solid var(--gray-a5)",
        width="100%",
        role="navigation",
    )


def app_shell(*children: rx.Component, title: str | None = None) -> rx.Component:
    return rx.box(
        navbar(),
        rx.container(
            rx.vstack(
                *( [rx.heading(title, size="7")] if title else [] ),
                *children,
                spacing="4",
                width="100%",
            ),
            size="4",
            padding_y="2em",
        ),
        width="100%",
    )


def auth_card(title: str, *children: rx.Component) -> rx.Component:
    return rx.box(
        navbar(),
        rx.center(
            rx.card(
                rx.vstack(rx.heading(title, size="6"), *children, spacing="4", width="100%"),
                size="3",
                width="100%",
                max_width="26em",
            ),
            padding_y="4em",
            padding_x="1em",
        ),
        width="100%",
    )


def field(label: str, name: str, *, type_: str = "text", placeholder: str = "", required: bool = True,
          auto_complete: str | None = None, auto_focus: bool = False, default_value: str | None = None) -> rx.Component:
    props: dict = {}
    if auto_complete:
        props["auto_complete"] = auto_complete
    if default_value is not None:
        props["default_value"] = default_value
    return rx.vstack(
        rx.el.label(label, html_for=name, style={"fontWeight": 500, "fontSize": "0.9em"}),
        rx.input(id=name, name=name, type=type_, placeholder=placeholder, required=required,
                 auto_focus=auto_focus, width="100%", **props),
        spacing="1",
        width="100%",
    )


def card_row(labels: tuple[str, ...] | list[str], *cells: rx.Component, **props: Any) -> rx.Component:
    """A table row whose cells carry their column's label (`data-label`): in a table with
    class_name="tiq-cards" a phone shows each row as a card of "label value" lines
    (assets/tiq.css) instead of scrolling the table sideways."""
    for label, cell in zip(labels, cells, strict=False):
        if label and hasattr(cell, "custom_attrs"):
            cell.custom_attrs["data-label"] = label
    return rx.table.row(*cells, **props)
