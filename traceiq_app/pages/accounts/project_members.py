# mypy: disable-error-code="operator"
# (Reflex event handlers called on the State CLASS to build event specs type as EventNamespace.)
"""/projects/<id>/members: the project's members and their roles. Project owners/admins (and org
owners/admins) change roles, remove people and add organization members; everybody else who
can read the project sees the list read-only."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.catalog.catalog_bits import empty_state, error_callout, project_nav, section
from traceiq_app.components.layout import app_shell, card_row
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.accounts.project_members import ProjectMembersState


def _role_cell(row: Any) -> rx.Component:
    return rx.cond(
        row["editable"] == "yes",
        rx.select.root(
            rx.select.trigger(aria_label="Project role of " + row["email"]),
            rx.select.content(rx.foreach(ProjectMembersState.role_choices,
                                         lambda r: rx.select.item(r, value=r))),
            value=row["role"],
            on_change=lambda role: ProjectMembersState.set_role(row["user_id"], role),
            size="1",
        ),
        rx.hstack(
            rx.badge(row["role"], variant="soft"),
            rx.cond(row["source"] == "organization",
                    rx.text("through their organization role", size="1", color_scheme="gray")),
            align="center",
        ),
    )


COLUMNS = ("Member", "Project role", "Organization role", "")


def _row(row: Any) -> rx.Component:
    return card_row(
        COLUMNS,
        rx.table.cell(rx.vstack(rx.text(row["email"]),
                                rx.cond(row["display_name"] != "", rx.text(row["display_name"], size="1",
                                                                           color_scheme="gray")),
                                spacing="0")),
        rx.table.cell(_role_cell(row)),
        rx.table.cell(row["org_role"]),
        rx.table.cell(rx.cond(
            row["editable"] == "yes",
            rx.button(rx.icon("user-minus", size=14), "Remove", size="1", variant="soft", color_scheme="red",
                      aria_label="Remove " + row["email"] + " from the project",
                      on_click=ProjectMembersState.remove(row["user_id"])),
        )),
    )


def _add_form() -> rx.Component:
    return section(
        "Add a member",
        rx.cond(
            ProjectMembersState.candidates.length() > 0,
            rx.form(
                rx.hstack(
                    rx.vstack(
                        rx.el.label("Organization member", html_for="add-member-user",
                                    style={"fontSize": "0.85em", "fontWeight": 500}),
                        rx.select.root(
                            rx.select.trigger(id="add-member-user", aria_label="Organization member",
                                              placeholder="Choose a member", max_width="100%"),
                            rx.select.content(rx.foreach(
                                ProjectMembersState.candidates,
                                lambda c: rx.select.item(c["email"] + " (" + c["org_role"] + ")", value=c["user_id"]))),
                            name="user_id", required=True,
                        ),
                        spacing="1",
                    ),
                    rx.vstack(
                        rx.el.label("Project role", html_for="add-member-role",
                                    style={"fontSize": "0.85em", "fontWeight": 500}),
                        rx.select.root(
                            rx.select.trigger(id="add-member-role", aria_label="Project role"),
                            rx.select.content(rx.foreach(ProjectMembersState.role_choices,
                                                         lambda r: rx.select.item(r, value=r))),
                            name="role", default_value="viewer",
                        ),
                        spacing="1",
                    ),
                    rx.button(rx.icon("user-plus", size=16), "Add to project", type="submit"),
                    align="end",
                    spacing="3",
                    wrap="wrap",
                ),
                on_submit=ProjectMembersState.add,
                id="add-member-form",  # not reset on submit: a refused form keeps the choice
            ),
            rx.text("Every member of the organization already has a role in this project. Invite more people on ",
                    rx.link("the Members page", href="/settings/members"), ".", size="2", color_scheme="gray"),
        ),
        rx.text("Organization owners and admins manage every project through their organization role. "
                "Only project owners can make someone an owner.", size="1", color_scheme="gray"),
    )


@rx.page(route="/projects/[project_id]/members", title="Project members · TraceIQ",
         on_load=[AuthState.require_login, ProjectMembersState.load])
def project_members_page() -> rx.Component:
    return app_shell(
        rx.cond(
            ProjectMembersState.error != "",
            rx.vstack(error_callout(ProjectMembersState.error), rx.link("Back to your projects", href="/projects")),
            rx.vstack(
                project_nav(ProjectMembersState.pid, ProjectMembersState.project_name, "members"),
                rx.cond(
                    ProjectMembersState.rows.length() > 0,
                    rx.table.root(
                        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in COLUMNS])),
                        rx.table.body(rx.foreach(ProjectMembersState.rows, _row)),
                        width="100%", class_name="tiq-cards",
                    ),
                    rx.cond(ProjectMembersState.loaded, empty_state(
                        "users", "Nobody has a role in this project yet",
                        "Add members of your organization below: viewers read tests and runs, editors also "
                        "write and run tests, admins manage settings and members.",
                    )),
                ),
                rx.cond(ProjectMembersState.can_manage, _add_form(),
                        rx.cond(ProjectMembersState.loaded,
                                rx.text("Only project owners and admins can change who is in this project.",
                                        size="2", color_scheme="gray"))),
                spacing="4",
                width="100%",
            ),
        ),
    )
