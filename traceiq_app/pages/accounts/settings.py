"""Protected settings pages: /settings/tokens, /settings/members, /settings/audit, /settings/password."""

from __future__ import annotations

import reflex as rx

from traceiq_app.components.layout import app_shell, card_row, field, native_form
from traceiq_app.state.accounts.account import PasswordPageState
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.accounts.settings import AuditState, MembersState, TokensState

TOKEN_COLUMNS = ("Name", "Token", "Owner", "Scopes", "Expires", "Last used", "Status", "")
INVITE_COLUMNS = ("Email", "Role", "Invited by", "Expires", "")
MEMBER_COLUMNS = ("Email", "Name", "Role", "Last sign-in", "")


def _scope_checkbox(scope: str, default: bool = False) -> rx.Component:
    return rx.checkbox(scope, name=f"scope_{scope}", default_checked=default, margin_right="1em")


@rx.page(route="/settings/tokens", title="API tokens · TraceIQ",
         on_load=[AuthState.require_login, TokensState.load_tokens])
def tokens_page() -> rx.Component:
    return app_shell(
        rx.text("Tokens let CI and scripts use the API: `Authorization: Bearer tiq_…`. "
                "A token has at most your rights, limited to its scopes."),
        rx.cond(
            TokensState.new_token != "",
            rx.callout(
                rx.vstack(
                    rx.text("Copy your new token now: it will not be shown again."),
                    rx.code(TokensState.new_token, id="new-token", size="3",
                            style={"wordBreak": "break-all", "maxWidth": "100%"}),
                    rx.button("Done", on_click=TokensState.dismiss_new_token, size="1", variant="soft"),
                ),
                icon="key", color_scheme="green", role="status", max_width="100%",
            ),
        ),
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Create a token", size="4"),
                    field("Name", "name", placeholder="e.g. ci-pipeline"),
                    rx.hstack(_scope_checkbox("read", True), _scope_checkbox("run"), _scope_checkbox("write"),
                              _scope_checkbox("admin")),
                    field("Expires after (days, empty = never)", "expires_days", type_="number", required=False),
                    rx.button("Create token", type="submit"),
                    spacing="3",
                ),
                on_submit=TokensState.create_token,
                id="token-form",  # not reset on submit: a refused form keeps what was typed
            ),
            width="100%",
        ),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in TOKEN_COLUMNS])),
            rx.table.body(rx.foreach(TokensState.tokens, lambda t: card_row(
                TOKEN_COLUMNS,
                rx.table.cell(t["name"]), rx.table.cell(rx.code(t["prefix"], "_…")), rx.table.cell(t["owner"]),
                rx.table.cell(t["scopes"]), rx.table.cell(t["expires_at"]), rx.table.cell(t["last_used_at"]),
                rx.table.cell(t["status"]),
                rx.table.cell(rx.cond(t["status"] == "active",
                                      rx.button("Revoke", color_scheme="red", size="1", variant="soft",
                                                on_click=TokensState.revoke_token(t["id"])))),  # type: ignore[operator]
            ))),
            width="100%",
            class_name="tiq-cards",
        ),
        title="API tokens",
    )


def _pending_invites() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Pending invitations", size="4"),
            rx.cond(
                MembersState.invites.length() > 0,
                rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in INVITE_COLUMNS])),
                    rx.table.body(rx.foreach(MembersState.invites, lambda i: card_row(
                        INVITE_COLUMNS,
                        rx.table.cell(i["email"]), rx.table.cell(i["role"]), rx.table.cell(i["invited_by"]),
                        rx.table.cell(i["expires_at"]),
                        rx.table.cell(rx.button("Revoke", color_scheme="red", size="1", variant="soft",
                                                aria_label="Revoke the invitation of " + i["email"].to(str),
                                                on_click=MembersState.revoke_invite(i["id"]))),  # type: ignore[operator]
                    ))),
                    width="100%",
                    class_name="tiq-cards",
                ),
                rx.text("No pending invitations.", size="2", color_scheme="gray"),
            ),
            rx.text("Project roles are set per project: open a project and choose Members.", size="1",
                    color_scheme="gray"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


@rx.page(route="/settings/members", title="Members · TraceIQ",
         on_load=[AuthState.require_login, MembersState.load_members])
def members_page() -> rx.Component:
    return app_shell(
        rx.cond(
            MembersState.can_manage,
            rx.card(
                rx.form(
                    rx.vstack(
                        rx.heading("Invite someone", size="4"),
                        rx.hstack(
                            field("Email", "email", type_="email"),
                            rx.select(["member", "admin", "owner"], name="role", default_value="member",
                                      aria_label="Role"),
                            rx.button("Invite", type="submit"),
                            align="end",
                        ),
                        rx.cond(MembersState.invite_link != "",
                                rx.text("Invitation link: ", rx.code(MembersState.invite_link, id="invite-link"))),
                        spacing="3",
                    ),
                    on_submit=MembersState.invite,
                    id="invite-form",  # not reset on submit: a refused form keeps what was typed
                ),
                width="100%",
            ),
        ),
        rx.cond(MembersState.can_manage, _pending_invites()),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in MEMBER_COLUMNS])),
            rx.table.body(rx.foreach(MembersState.members, lambda m: card_row(
                MEMBER_COLUMNS,
                rx.table.cell(m["email"]), rx.table.cell(m["display_name"]),
                rx.table.cell(rx.cond(
                    MembersState.can_manage,
                    rx.select(["owner", "admin", "member"], value=m["role"],
                              on_change=lambda role: MembersState.set_role(m["user_id"], role), size="1"),  # type: ignore[operator]
                    rx.text(m["role"]),
                )),
                rx.table.cell(m["last_login_at"]),
                rx.table.cell(rx.cond(MembersState.can_manage,
                                      rx.button("Remove", color_scheme="red", size="1", variant="soft",
                                                on_click=MembersState.remove(m["user_id"])))),  # type: ignore[operator]
            ))),
            width="100%",
            class_name="tiq-cards",
        ),
        title="Members",
    )


@rx.page(route="/settings/audit", title="Audit log · TraceIQ",
         on_load=[AuthState.require_login, AuditState.load_audit])
def audit_page() -> rx.Component:
    return app_shell(
        rx.form(
            rx.hstack(
                field("Action (e.g. token. or auth.login_failed)", "action", required=False),
                field("Actor", "actor", required=False),
                field("Last N days", "days", type_="number", required=False, default_value="30"),
                rx.button("Filter", type="submit"),
                align="end",
                spacing="3",
            ),
            on_submit=AuditState.apply_filters,
        ),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                           ("When (UTC)", "Actor", "Action", "Object", "Details", "IP")])),
            rx.table.body(rx.foreach(AuditState.entries, lambda e: rx.table.row(
                rx.table.cell(e["created_at"]), rx.table.cell(e["actor"]), rx.table.cell(rx.code(e["action"])),
                rx.table.cell(e["object_type"], " ", e["object_id"]), rx.table.cell(e["details"]),
                rx.table.cell(e["ip"]),
            ))),
            width="100%",
        ),
        rx.hstack(
            rx.button("Newer", on_click=AuditState.prev_page, disabled=AuditState.page == 0, variant="soft"),
            rx.button("Older", on_click=AuditState.next_page, disabled=~AuditState.has_more, variant="soft"),
        ),
        title="Audit log",
    )


def _password_input(label: str, name: str, auto_complete: str, auto_focus: bool = False) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, style={"fontWeight": 500, "fontSize": "0.9em"}),
        rx.el.input(id=name, name=name, type="password", required=True, auto_complete=auto_complete,
                    auto_focus=auto_focus, min_length=10 if name != "current_password" else None,
                    style={"width": "100%", "padding": "0.5em", "border": "1px solid var(--gray-a7)",
                           "borderRadius": "var(--radius-2)"}),
        spacing="1",
        width="100%",
    )


@rx.page(route="/settings/password", title="Password · TraceIQ",
         on_load=[AuthState.require_login, PasswordPageState.load_password_page])
def password_page() -> rx.Component:
    # A plain HTML form like /login: the passwords go straight to the API and never into state.
    return app_shell(
        rx.cond(PasswordPageState.error != "",
                rx.callout(PasswordPageState.error, icon="triangle_alert", color_scheme="red", role="alert")),
        rx.card(
            native_form(
                rx.vstack(
                    _password_input("Current password", "current_password", "current-password", auto_focus=True),
                    _password_input("New password (at least 10 characters)", "new_password", "new-password"),
                    _password_input("Repeat the new password", "new_password_confirm", "new-password"),
                    rx.text("Changing it signs you out everywhere else.", size="2", color_scheme="gray"),
                    rx.button("Change password", type="submit"),
                    spacing="3",
                    width="100%",
                ),
                action="/api/auth/password-form",
                method="post",
                style={"width": "100%"},
            ),
            max_width="28em",
        ),
        title="Change your password",
    )
