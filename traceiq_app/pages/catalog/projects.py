"""/projects: the project switcher (every project the user can read) and project creation."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.catalog.catalog_bits import empty_state, field_error, invalid_props, section
from traceiq_app.components.layout import app_shell
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.catalog.projects import ProjectsState


def _project_card(p: Any) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(rx.icon("folder-kanban", size=18), rx.heading(p["name"], size="4"), align="center"),
                rx.text(p["org"], " · ", p["slug"], size="1", color_scheme="gray"),
                rx.cond(p["description"] != "", rx.text(p["description"], size="2")),
                rx.hstack(rx.badge("folders: ", p["suites"], variant="soft"),
                          rx.badge("tests: ", p["tests"], variant="soft", color_scheme="green"), spacing="2"),
                spacing="2",
            ),
            width="100%",
            _hover={"border_color": rx.color("accent", 8)},
        ),
        href="/projects/" + p["id"],
        underline="none",
        aria_label="Open project " + p["name"],
    )


def _create_form() -> rx.Component:
    return section(
        "New project",
        rx.form(
            rx.hstack(
                rx.input(name="name", placeholder="Project name, e.g. Web shop", required=True, aria_label="Project name",
                         width="100%", max_width="22em", max_length=200,
                         **invalid_props(ProjectsState.create_field == "name")),
                rx.input(name="slug", placeholder="slug (optional)", aria_label="Slug", max_width="12em", max_length=100,
                         **invalid_props(ProjectsState.create_field == "slug")),
                rx.cond(
                    ProjectsState.create_orgs.length() > 1,
                    rx.el.select(
                        rx.foreach(ProjectsState.create_orgs, lambda o: rx.el.option(o["name"], value=o["id"])),
                        name="org_id", aria_label="Organization",
                        style={"padding": "0.3em", "borderRadius": "var(--radius-2)"},
                    ),
                ),
                rx.button(rx.icon("plus", size=16), "Create project", type="submit"),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            on_submit=ProjectsState.create_project,
        ),
        field_error(ProjectsState.create_error),
        rx.text("Only organization owners and admins can create projects.", size="1", color_scheme="gray"),
    )


@rx.page(route="/projects", title="Projects · TraceIQ", on_load=[AuthState.require_login, ProjectsState.load])
def projects_page() -> rx.Component:
    return app_shell(
        rx.hstack(rx.heading("Projects", size="7"), rx.spacer(), align="center", width="100%"),
        rx.cond(
            ProjectsState.projects.length() > 0,
            rx.grid(rx.foreach(ProjectsState.projects, _project_card), columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                    spacing="4", width="100%"),
            rx.cond(
                ProjectsState.loaded,
                empty_state(
                    "folder-plus", "No projects yet",
                    "A project holds the tests of one product. Create one below, then add folders and "
                    "write a test in the editor — or import a Chrome Recorder flow.",
                ),
            ),
        ),
        rx.cond(ProjectsState.create_orgs.length() > 0, _create_form()),
    )
