# mypy: disable-error-code="operator"
"""Shared pieces of the defect pages: native selects (form values), status badges, and one
input per custom field (by kind)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.analytics.bits import truncated
from traceiq_app.services.defects import workflow

LABEL = {"fontSize": "var(--font-size-2)", "fontWeight": 500}
_SELECT = {"padding": "0.35em 0.5em", "borderRadius": "var(--radius-2)", "border": "1px solid var(--gray-a7)",
           "background": "var(--color-surface)", "color": "var(--gray-12)", "minWidth": "9em", "maxWidth": "100%"}


def native_select(name: str, options: list[tuple[str, str]] | Any, *, label: str, value: Any = "",
                  id: str | None = None, foreach_people: bool = False, empty: str | None = None) -> rx.Component:
    """A <select> that a form submits by `name`. `options`: (value, label) pairs, or a list Var
    of {"id", "name"} dicts with `foreach_people`."""
    first = [rx.el.option(empty, value="")] if empty is not None else []
    if foreach_people:
        items = rx.foreach(options, lambda p: rx.el.option(p["name"], value=p["id"]))
        children = [*first, items]
    else:
        children = [*first, *[rx.el.option(text, value=val) for val, text in options]]
    return rx.vstack(
        rx.el.label(label, html_for=id or f"defect-{name}", style=LABEL),
        rx.el.select(*children, name=name, id=id or f"defect-{name}", default_value=value, style=_SELECT,
                     key=value),
        spacing="1",
    )


def status_badge(label: Any, status: Any) -> rx.Component:
    return rx.badge(label, variant="soft", data_status=status,
                    color_scheme=rx.match(status, ("new", "blue"), ("assigned", "indigo"), ("in_progress", "amber"),
                                          ("fixed", "green"), ("awaiting_verification", "teal"),
                                          ("verified_fixed", "green"), ("closed", "gray"), ("reopened", "red"),
                                          "gray"))


def custom_input(f: Any) -> rx.Component:
    """One custom field's input, named `cf_<key>`; `f` has key, label, kind, options, value."""
    name = "cf_" + f["key"].to(str)
    ident = "cf-" + f["key"].to(str)
    value = f["value"].to(str)
    options = f["options"].to(str).split(", ")
    return rx.vstack(
        rx.el.label(f["label"], html_for=ident, style=LABEL),
        rx.match(
            f["kind"],
            ("number", rx.input(name=name, id=ident, type="text", inputmode="decimal", default_value=value,
                                key=value)),
            ("date", rx.input(name=name, id=ident, type="date", default_value=value, key=value)),
            ("select", rx.el.select(rx.el.option("—", value=""),
                                    rx.foreach(options, lambda o: rx.el.option(o, value=o)),
                                    name=name, id=ident, default_value=value, key=value, style=_SELECT)),
            ("multiselect", rx.input(name=name, id=ident, default_value=value, key=value,
                                     placeholder="comma-separated: " + f["options"].to(str))),
            rx.input(name=name, id=ident, default_value=value, key=value),
        ),
        spacing="1", width="100%",
    )


STATUS_OPTIONS = [("open", "Open"), *[(v, workflow.label(v)) for v in workflow.STATUSES]]


def list_filter_fields(s: Any) -> list[rx.Component]:
    """The defects list's filter inputs (status, severity, priority, assignee, reporter, title,
    custom fields), read from a list state's `filters`, `people` and `fields`: the project's list
    (state/defects/list.py) and the organization-wide one (state/defects/org_list.py)."""
    return [
        native_select("status", STATUS_OPTIONS, label="Status", value=s.filters.get("status", ""),
                      id="filter-status", empty="Any"),
        native_select("severity", [(v, v) for v in workflow.SEVERITIES], label="Severity",
                      value=s.filters.get("severity", ""), id="filter-severity", empty="Any"),
        native_select("priority", [(v, v) for v in workflow.PRIORITIES], label="Priority",
                      value=s.filters.get("priority", ""), id="filter-priority", empty="Any"),
        native_select("assignee", s.people, label="Assignee", value=s.filters.get("assignee", ""),
                      id="filter-assignee", foreach_people=True, empty="Anyone"),
        native_select("reporter", s.people, label="Reporter", value=s.filters.get("reporter", ""),
                      id="filter-reporter", foreach_people=True, empty="Anyone"),
        rx.vstack(rx.el.label("Title contains", html_for="filter-q", style=LABEL),
                  rx.input(name="q", id="filter-q", default_value=s.filters.get("q", ""),
                           key=s.filters.get("q", "")), spacing="1"),
        rx.foreach(s.fields, lambda f: rx.vstack(
            rx.el.label(f["label"], html_for="filter-cf-" + f["key"], style=LABEL),
            rx.input(name="cf_" + f["key"], id="filter-cf-" + f["key"], default_value=f["value"]), spacing="1")),
    ]


def saved_filter_controls(s: Any) -> list[rx.Component]:
    """The defects list's saved filters (use, delete) and the "save these filters" form, on a list
    state's `saved`, `use_filter`, `delete_filter` and `save_filter`: the project's list and the
    organization-wide one."""
    return [
        rx.foreach(s.saved, lambda f: rx.hstack(
            rx.button(f["name"], size="1", variant="soft", on_click=s.use_filter(f["id"])),
            rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost", color_scheme="gray",
                           aria_label="Delete saved filter " + f["name"], on_click=s.delete_filter(f["id"])),
            spacing="1", align="center")),
        rx.form(rx.hstack(rx.input(name="name", placeholder="Save these filters as…", size="1",
                                   aria_label="Saved filter name"),
                          rx.button("Save filter", size="1", type="submit"), spacing="1"),
                on_submit=s.save_filter, reset_on_submit=True),
    ]


def defect_cells(r: Any, *, title_width: str, custom_width: str) -> list[rx.Component]:
    """A defects list row's cells from key to custom fields (the project's list and the
    organization-wide one, which puts the project first)."""
    return [
        rx.table.cell(rx.link(r["key"], href=r["href"])),
        rx.table.cell(truncated(r["title"], r["href"], title_width)),
        rx.table.cell(status_badge(r["status_label"], r["status"])),
        rx.table.cell(r["severity"]), rx.table.cell(r["priority"]), rx.table.cell(r["assignee"]),
        rx.table.cell(r["occurrences"]),
        rx.table.cell(rx.cond(r["recurred"], rx.badge("recurred", color_scheme="red"))),
        rx.table.cell(truncated(r["custom_text"], max_width=custom_width)),
    ]
