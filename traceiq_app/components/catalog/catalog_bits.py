"""Small shared pieces of the catalog pages (projects, suites, tests, editor, environments,
imports): empty states, the project sub-navigation, error callouts."""

from __future__ import annotations

from typing import Any

import reflex as rx


def empty_state(icon: str, title: str, *lines: Any, action: rx.Component | None = None) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=36, color=rx.color("accent", 9)),
            rx.heading(title, size="4"),
            *[rx.text(line, color_scheme="gray", size="2", text_align="center") for line in lines],
            *([action] if action is not None else []),
            align="center",
            spacing="2",
            max_width="34em",
        ),
        padding_y="2.5em",
        width="100%",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="var(--radius-4)",
    )


def project_nav(pid: Any, project_name: Any, active: str) -> rx.Component:
    def tab(label: str, href: Any, key: str, icon: str) -> rx.Component:
        return rx.link(
            rx.button(rx.icon(icon, size=16), label, variant="solid" if key == active else "soft",
                      size="2", tab_index=-1),
            href=href,
            underline="none",
            flex_shrink="0",
            data_tab_active="true" if key == active else None,
        )

    return rx.hstack(
        rx.link(rx.text("Projects", size="2", color_scheme="gray"), href="/projects"),
        rx.text("/", color_scheme="gray", size="2"),
        rx.heading(project_name, size="6", title=project_name, overflow="hidden", text_overflow="ellipsis",
                   white_space="nowrap", max_width=["100%", "100%", "24em"], min_width="0"),
        rx.spacer(),
        # Only once the page knows its project (a click before that went to /projects/environments).
        rx.cond(pid != "", rx.hstack(
            tab("Tests", f"/projects/{pid}", "tests", "list-checks"),
            tab("Import", f"/projects/{pid}/import", "import", "upload"),
            tab("Environments", f"/projects/{pid}/environments", "environments", "server"),
            tab("Runs", f"/projects/{pid}/runs", "runs", "list-video"),
            tab("Manual runs", f"/projects/{pid}/manual-runs", "manual", "clipboard-check"),
            tab("Analytics", f"/projects/{pid}/analytics", "analytics", "chart-line"),
            tab("Defects", f"/projects/{pid}/defects", "defects", "bug"),
            tab("Schedules", f"/projects/{pid}/schedules", "schedules", "calendar-clock"),
            tab("Notifications", f"/projects/{pid}/notifications", "notifications", "bell"),
            tab("Healing", f"/projects/{pid}/healing", "healing", "wand-sparkles"),
            tab("Members", f"/projects/{pid}/members", "members", "users"),
            tab("Settings", f"/projects/{pid}/settings", "settings", "settings"),
            # Phones: one row that scrolls sideways instead of six rows of tabs above the page.
            spacing="3", width="100%", id="project-tabs", aria_label="Project sections",
            flex_wrap=rx.breakpoints(initial="nowrap", md="wrap"),
            overflow_x=rx.breakpoints(initial="auto", md="visible"), padding_bottom="4px",
        )),
        align="center",
        spacing="3",
        width="100%",
        wrap="wrap",
    )


def error_callout(message: Any) -> rx.Component:
    return rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", width="100%")


def section(title: str, *children: rx.Component, **props: Any) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="3"), *children, spacing="3", width="100%"),
        width="100%",
        **props,
    )


def choice(items: Any, value: Any, on_change: Any, *, label: Any, id: Any = None, size: str = "2") -> rx.Component:
    """A Radix select whose trigger carries the accessible name (and the id a <label for> points
    at); `items` is a list (or list Var) of option values, shown as is."""
    trigger_props: dict[str, Any] = {"aria_label": label}
    if id is not None:
        trigger_props["id"] = id
    return rx.select.root(
        rx.select.trigger(**trigger_props),
        rx.select.content(rx.foreach(items, lambda option: rx.select.item(option, value=option))),
        value=value,
        on_change=on_change,
        size=size,
    )


def field_error(message: Any, show: Any = True) -> rx.Component:
    """The problem of one form field, under the form (the inputs keep what the user typed)."""
    return rx.cond(show & (message != ""),
                   rx.text(message, size="2", color_scheme="red", role="alert",
                           custom_attrs={"data-testid": "form-error"}))


def invalid_props(marked: Any) -> dict[str, Any]:
    """Props that mark an input as the one a refusal is about (red outline, aria-invalid)."""
    return {"box_shadow": rx.cond(marked, "inset 0 0 0 2px var(--red-9)", "inset 0 0 0 1px var(--gray-a7)"),
            "aria_invalid": rx.cond(marked, "true", "false")}
