# mypy: disable-error-code="operator"
"""/settings/organization: Security (two-factor requirement) and Network (target allowlist,
link-local / cloud-metadata rule) of the organization the user works in."""

from __future__ import annotations

import reflex as rx

from traceiq_app.components.layout import app_shell
from traceiq_app.components.network import hosts_form, rule_row
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.accounts.org_settings import HOSTS_INPUT, OrgSecurityState


@rx.page(route="/settings/organization", title="Organization · TraceIQ",
         on_load=[AuthState.require_login, OrgSecurityState.load])
def org_settings_page() -> rx.Component:
    owners_only = rx.cond(~OrgSecurityState.can_edit_rules,
                          rx.text("Only owners of the organization change these.", size="1", color_scheme="gray"))
    return app_shell(
        rx.text("Settings of ", rx.text.strong(AuthState.org_name), "."),
        rx.card(
            rx.vstack(
                rx.heading("Security", size="4"),
                rule_row("Require two-factor sign-in",
                         "Members without it are sent to set it up after signing in and can do nothing else "
                         "until they have. Members who sign in through the sign-on provider follow its rules.",
                         OrgSecurityState.require_two_factor, ~OrgSecurityState.can_edit_rules,
                         OrgSecurityState.set_require_two_factor, "require-two-factor"),
                rx.cond(OrgSecurityState.rule_error != "",
                        rx.text(OrgSecurityState.rule_error, color_scheme="red", size="2", role="alert")),
                owners_only,
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        rx.card(
            rx.vstack(
                rx.heading("Network", size="4"),
                rx.text("What the tests of every project may reach. These hosts are allowed in addition to each "
                        "project's own list; when both lists are empty, tests may reach any host.", size="2"),
                hosts_form(HOSTS_INPUT, OrgSecurityState.hosts_text, OrgSecurityState.hosts_error,
                           OrgSecurityState.can_edit_hosts, OrgSecurityState.save_hosts,
                           "Allowed hosts for every project"),
                rx.divider(),
                rule_row("Allow link-local and cloud-metadata addresses",
                         "169.254.0.0/16 (cloud metadata at 169.254.169.254), fe80::/10, metadata.google.internal"
                         "… are refused to tests unless this is on. Turn it on only to test something that "
                         "really lives there.",
                         OrgSecurityState.allow_link_local, ~OrgSecurityState.can_edit_rules,
                         OrgSecurityState.set_allow_link_local, "allow-link-local"),
                owners_only,
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        title="Organization",
    )
