"""Public account pages: /login, /signup, /logout, /forgot-password, /reset-password/[reset_token],
/invite/[invite_token]. Forms submit with Enter; errors show inline and as toasts."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.layout import auth_card, field, native_form
from traceiq_app.state.accounts.account import InviteState, LoginPageState, PasswordResetState, SignupState
from traceiq_app.state.accounts.auth import AuthState


def _error(text: Any) -> rx.Component:
    return rx.cond(text != "", rx.callout(text, icon="triangle_alert", color_scheme="red", role="alert"))


@rx.page(route="/login", title="Sign in · TraceIQ", on_load=LoginPageState.on_load)
def login() -> rx.Component:
    # A plain HTML form: the password goes straight to POST /api/auth/login-form, which sets the
    # HttpOnly session cookie and redirects; it never enters Reflex state.
    return auth_card(
        "Sign in",
        _error(LoginPageState.error),
        native_form(
            rx.vstack(
                rx.el.label("Email", html_for="email", style={"fontWeight": 500, "fontSize": "0.9em"}),
                rx.el.input(id="email", name="email", type="email", required=True, auto_complete="username",
                            auto_focus=True, default_value=LoginPageState.email,
                            class_name="rt-reset rt-TextFieldInput",
                            style={"width": "100%", "padding": "0.5em", "border": "1px solid var(--gray-a7)",
                                   "borderRadius": "var(--radius-2)"}),
                rx.el.label("Password", html_for="password", style={"fontWeight": 500, "fontSize": "0.9em"}),
                rx.el.input(id="password", name="password", type="password", required=True,
                            auto_complete="current-password",
                            style={"width": "100%", "padding": "0.5em", "border": "1px solid var(--gray-a7)",
                                   "borderRadius": "var(--radius-2)"}),
                rx.el.input(type="hidden", name="next", value=LoginPageState.next_path),
                rx.button("Sign in", type="submit", width="100%"),
                spacing="2",
                width="100%",
            ),
            action="/api/auth/login-form",
            method="post",
            style={"width": "100%"},
        ),
        rx.cond(
            LoginPageState.oidc_enabled,
            rx.link(rx.button("Sign in with ", LoginPageState.oidc_name, variant="outline", width="100%"),
                    href="/api/auth/oidc/login?next=" + LoginPageState.next_path, width="100%"),
        ),
        rx.hstack(
            rx.link("Forgot your password?", href="/forgot-password"),
            rx.spacer(),
            rx.cond(LoginPageState.signup_open, rx.link("Create an account", href="/signup")),
            width="100%",
        ),
    )


@rx.page(route="/signup", title="Sign up · TraceIQ", on_load=SignupState.on_load)
def signup() -> rx.Component:
    return auth_card(
        "Create your organization",
        rx.cond(
            SignupState.open,
            rx.form(
                rx.vstack(
                    _error(SignupState.error),
                    field("Email", "email", type_="email", auto_complete="username", auto_focus=True),
                    field("Your name", "display_name", required=False, auto_complete="name"),
                    field("Organization", "org_name", required=False, placeholder="default: from your email domain"),
                    field("Password (at least 10 characters)", "password", type_="password",
                          auto_complete="new-password"),
                    field("Repeat password", "password_confirm", type_="password", auto_complete="new-password"),
                    rx.button("Create account", type="submit", width="100%"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=SignupState.submit,
                width="100%",
            ),
            rx.callout("Sign-up is closed on this server. Ask an admin of your organization for an invitation.",
                       icon="info"),
        ),
        rx.link("Already have an account? Sign in", href="/login"),
    )


@rx.page(route="/logout", title="Sign out · TraceIQ", on_load=AuthState.load_session)
def logout() -> rx.Component:
    from traceiq_app.components.layout import sign_out_form

    return auth_card(
        "Sign out",
        rx.text("Sign out of TraceIQ on this browser, or on every device at once."),
        rx.hstack(
            rx.box(sign_out_form("Sign out"), class_name="rt-Button rt-variant-solid rt-r-size-2",
                   padding="0.4em 1em"),
            rx.box(sign_out_form("Sign out everywhere", everywhere=True),
                   class_name="rt-Button rt-variant-soft rt-r-size-2", padding="0.4em 1em"),
        ),
    )


@rx.page(route="/forgot-password", title="Forgot password · TraceIQ", on_load=AuthState.load_session)
def forgot_password() -> rx.Component:
    return auth_card(
        "Reset your password",
        rx.cond(
            PasswordResetState.sent,
            rx.callout("If an account uses this email, a reset link is on its way. It works for one hour.",
                       icon="mail", role="status"),
            rx.form(
                rx.vstack(
                    field("Email", "email", type_="email", auto_complete="username", auto_focus=True),
                    rx.button("Send reset link", type="submit", width="100%"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=PasswordResetState.request_reset,
                width="100%",
            ),
        ),
        rx.link("Back to sign in", href="/login"),
    )


@rx.page(route="/reset-password/[reset_token]", title="Choose a new password · TraceIQ",
         on_load=PasswordResetState.load_reset)
def reset_password() -> rx.Component:
    return auth_card(
        "Choose a new password",
        _error(PasswordResetState.error),
        rx.cond(
            PasswordResetState.link_ok,
            rx.form(
                rx.vstack(
                    rx.text("For ", rx.text.strong(PasswordResetState.reset_email)),
                    field("New password (at least 10 characters)", "password", type_="password",
                          auto_complete="new-password", auto_focus=True),
                    field("Repeat password", "password_confirm", type_="password", auto_complete="new-password"),
                    rx.button("Change password", type="submit", width="100%"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=PasswordResetState.submit_reset,
                width="100%",
            ),
            rx.link("Ask for a new link", href="/forgot-password"),
        ),
    )


@rx.page(route="/invite/[invite_token]", title="Invitation · TraceIQ", on_load=InviteState.load_invite)
def invite() -> rx.Component:
    return auth_card(
        "Join your team",
        _error(InviteState.error),
        rx.cond(
            InviteState.valid,
            rx.vstack(
                rx.text("You are invited to ", rx.text.strong(InviteState.invite_org), " as ",
                        InviteState.invite_role, " (", InviteState.invite_email, ")."),
                rx.cond(
                    InviteState.account_exists,
                    rx.cond(
                        AuthState.signed_in,
                        rx.form(rx.button("Accept invitation", type="submit", width="100%"),
                                on_submit=InviteState.accept, width="100%"),
                        rx.link(rx.button("Sign in to accept", width="100%"),
                                href="/login?next=" + InviteState.router.url.path, width="100%"),
                    ),
                    rx.form(
                        rx.vstack(
                            field("Your name", "display_name", required=False, auto_complete="name",
                                  auto_focus=True),
                            field("Choose a password (at least 10 characters)", "password", type_="password",
                                  auto_complete="new-password"),
                            field("Repeat password", "password_confirm", type_="password",
                                  auto_complete="new-password"),
                            rx.button("Create account and join", type="submit", width="100%"),
                            spacing="3",
                            width="100%",
                        ),
                        on_submit=InviteState.accept,
                        width="100%",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
        ),
    )
