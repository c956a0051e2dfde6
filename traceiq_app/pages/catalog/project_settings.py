# mypy: disable-error-code="operator"
"""/projects/<id>/settings: the execution settings of the project and its folders (editable), and
the Network section (target allowlist). `?folder=<id>` opens the settings of that folder."""

from __future__ import annotations

import reflex as rx

from traceiq_app.components.catalog.catalog_bits import error_callout, project_nav
from traceiq_app.components.catalog.settings_form import execution_settings_card
from traceiq_app.components.layout import app_shell
from traceiq_app.components.network import hosts_form
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.catalog.execution_settings import ExecutionSettingsState
from traceiq_app.state.catalog.project_settings import HOSTS_INPUT, ProjectSettingsState


def _network() -> rx.Component:
    s = ProjectSettingsState
    return rx.card(
        rx.vstack(
            rx.heading("Network", size="4"),
            rx.text("Which hosts this project's tests may reach. Requests anywhere else fail the step that made "
                    "them.", size="2"),
            hosts_form(HOSTS_INPUT, s.hosts_text, s.hosts_error, s.can_write, s.save_hosts,
                       "Allowed hosts for this project"),
            rx.divider(),
            rx.text("Also allowed, from the organization: ",
                    rx.cond(s.org_hosts != "", rx.code(s.org_hosts), rx.text.em("none")), size="2"),
            rx.text("Link-local and cloud-metadata addresses: ",
                    rx.cond(s.allow_link_local, rx.text.strong("allowed by the organization's owner"),
                            rx.text.strong("refused")), size="2"),
            rx.text("Private and loopback addresses: ",
                    rx.cond(s.deny_private, rx.text.strong("refused on this server"),
                            rx.text.strong("allowed on this server")), size="2"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


@rx.page(route="/projects/[project_id]/settings", title="Project settings · TraceIQ",
         on_load=[AuthState.require_login, ProjectSettingsState.load, ExecutionSettingsState.load])
def project_settings_page() -> rx.Component:
    return app_shell(
        rx.cond(
            ProjectSettingsState.error != "",
            rx.vstack(error_callout(ProjectSettingsState.error), rx.link("Back to your projects", href="/projects")),
            rx.vstack(
                project_nav(ProjectSettingsState.pid, ProjectSettingsState.project_name, "settings"),
                execution_settings_card(),
                rx.cond(ProjectSettingsState.pid != "", rx.link(
                    rx.button(rx.icon("list-plus", size=16), "Custom fields", variant="soft", tab_index=-1),
                    href="/projects/" + ProjectSettingsState.pid + "/custom-fields", id="custom-fields-link")),
                _network(),
                spacing="4",
                width="100%",
            ),
        ),
    )
