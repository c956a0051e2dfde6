# mypy: disable-error-code="operator"
"""/settings/security (e-mail address and verification, two-factor sign-in), /login/two-factor
(the second sign-in step) and /verify-email/[verify_token]."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.components.layout import app_shell, auth_card, native_form
from traceiq_app.state.accounts.auth import AuthState
from traceiq_app.state.accounts.security import SecurityState, TwoFactorPageState, VerifyEmailState

_INPUT_STYLE = {"width": "100%", "padding": "0.5em", "border": "1px solid var(--gray-a7)",
                "borderRadius": "var(--radius-2)"}


def _native_input(label: str, id_: str, type_: str, auto_complete: str, name: str | None = None,
                  **props: Any) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=id_, style={"fontWeight": 500, "fontSize": "0.9em"}),
        rx.el.input(id=id_, name=name or id_, type=type_, required=True, auto_complete=auto_complete,
                    style=_INPUT_STYLE, **props),
        spacing="1",
        width="100%",
    )


def _email_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("E-mail address", size="4"),
            rx.hstack(
                rx.text(SecurityState.email, weight="medium"),
                rx.cond(SecurityState.verified, rx.badge("verified", color_scheme="green"),
                        rx.badge("not verified", color_scheme="orange")),
                align="center",
            ),
            rx.cond(
                ~SecurityState.verified,
                rx.vstack(
                    rx.text("Until you confirm your address you cannot be invited into other organizations "
                            "and get no notifications.", size="2", color_scheme="gray"),
                    rx.button("Send me a confirmation link", on_click=SecurityState.resend_verification,
                              variant="soft", disabled=~SecurityState.mail_enabled),
                    spacing="2",
                ),
            ),
            rx.cond(
                SecurityState.mail_enabled,
                native_form(
                    rx.vstack(
                        rx.text("Change it: we e-mail a link to the new address; the change happens when you open it.",
                                size="2", color_scheme="gray"),
                        _native_input("New address", "new_email", "email", "email", name="email"),
                        _native_input("Your password", "email_password", "password", "current-password", name="password"),
                        rx.button("Send confirmation link", type="submit", variant="soft"),
                        spacing="2",
                        width="100%",
                    ),
                    action="/api/auth/email-form",
                    method="post",
                    style={"width": "100%"},
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        max_width="36em",
    )


def _codes_box() -> rx.Component:
    return rx.callout(
        rx.vstack(
            rx.text("Recovery codes: each signs you in once if you lose your phone. Save them now: they are "
                    "not shown again."),
            rx.el.pre(rx.foreach(SecurityState.new_codes, lambda c: rx.text(c, as_="div")), id="recovery-codes",
                      style={"fontFamily": "var(--code-font-family)", "margin": 0}),
            rx.button("I saved them", on_click=SecurityState.dismiss_codes, size="1"),
        ),
        icon="key", color_scheme="green", role="status",
    )


def _code_form(label: str, handler: Any, button: str) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label(label, html_for="totp-code", style={"fontWeight": 500, "fontSize": "0.9em"}),
            rx.hstack(
                rx.input(id="totp-code", name="code", required=True, auto_complete="one-time-code",
                         input_mode="numeric", max_length=6, width="8em"),
                rx.button(button, type="submit"),
            ),
            rx.cond(SecurityState.code_error != "",
                    rx.text(SecurityState.code_error, color_scheme="red", size="2", role="alert")),
            spacing="1",
        ),
        on_submit=handler,
    )


def _two_factor_card() -> rx.Component:
    enrol = rx.cond(
        SecurityState.qr_svg != "",
        rx.vstack(
            rx.text("Scan this code with an authenticator app (any app that supports TOTP), then enter the "
                    "6 digits it shows."),
            rx.image(src=SecurityState.qr_svg, alt="QR code for your authenticator app", width="220px",
                     height="220px", id="totp-qr"),
            rx.text("Or type this key: ", rx.code(SecurityState.secret, id="totp-secret"), size="2"),
            _code_form("Code from the app", SecurityState.confirm_two_factor, "Turn on"),
            spacing="3",
        ),
        rx.button("Set up two-factor sign-in", on_click=SecurityState.start_two_factor),
    )
    on = rx.vstack(
        rx.text("Two-factor sign-in is on. Recovery codes left: ", SecurityState.codes_left, "."),
        _code_form("New recovery codes (enter a code from your app)", SecurityState.renew_codes, "Renew codes"),
        native_form(
            rx.vstack(
                rx.text("Turn it off", weight="medium"),
                _native_input("Password", "tf_password", "password", "current-password", name="password"),
                _native_input("Code from your app, or a recovery code", "tf_code", "text", "one-time-code",
                              name="code"),
                rx.button("Turn off two-factor sign-in", type="submit", color_scheme="red", variant="soft"),
                spacing="2",
                width="100%",
            ),
            action="/api/auth/two-factor/disable-form",
            method="post",
            style={"width": "100%", "maxWidth": "24em"},
        ),
        spacing="4",
    )
    return rx.card(
        rx.vstack(
            rx.heading("Two-factor sign-in", size="4"),
            rx.cond(SecurityState.tf_required_by != "",
                    rx.callout("Required by: " + SecurityState.tf_required_by, icon="shield-alert",
                               color_scheme="orange")),
            rx.cond(SecurityState.new_codes.length() > 0, _codes_box()),
            rx.cond(
                SecurityState.tf_exempt,
                rx.text("You sign in through your organization's sign-on provider; it handles two-factor "
                        "authentication.", color_scheme="gray"),
                rx.cond(SecurityState.tf_enabled, on, enrol),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        max_width="36em",
    )


@rx.page(route="/settings/security", title="Security · TraceIQ", on_load=[AuthState.require_login, SecurityState.load])
def security_page() -> rx.Component:
    return app_shell(
        rx.cond(SecurityState.error != "",
                rx.callout(SecurityState.error, icon="triangle_alert", color_scheme="red", role="alert")),
        _email_card(),
        _two_factor_card(),
        title="Security",
    )


@rx.page(route="/login/two-factor", title="Two-factor sign-in · TraceIQ", on_load=TwoFactorPageState.on_load)
def two_factor_login() -> rx.Component:
    return auth_card(
        "Enter your code",
        rx.cond(TwoFactorPageState.error != "",
                rx.callout(TwoFactorPageState.error, icon="triangle_alert", color_scheme="red", role="alert")),
        native_form(
            rx.vstack(
                rx.text("Open your authenticator app and enter the 6-digit code, or one of your recovery codes."),
                _native_input("Code", "code", "text", "one-time-code", auto_focus=True, input_mode="numeric",
                              max_length=24),
                rx.el.input(type="hidden", name="next", value=TwoFactorPageState.next_path),
                rx.button("Sign in", type="submit", width="100%"),
                spacing="2",
                width="100%",
            ),
            action="/api/auth/two-factor-form",
            method="post",
            style={"width": "100%"},
        ),
        rx.link("Start over", href="/login"),
    )


@rx.page(route="/verify-email/[verify_token]", title="Confirm your address · TraceIQ",
         on_load=VerifyEmailState.verify)
def verify_email_page() -> rx.Component:
    return auth_card(
        "Confirm your address",
        rx.cond(
            VerifyEmailState.error != "",
            rx.callout(VerifyEmailState.error, icon="triangle_alert", color_scheme="red", role="alert"),
            rx.cond(VerifyEmailState.verified_email != "",
                    rx.callout(rx.text("Confirmed: ", rx.text.strong(VerifyEmailState.verified_email)),
                               icon="circle_check", color_scheme="green", role="status"),
                    rx.text("Checking the link…")),
        ),
        rx.cond(AuthState.signed_in, rx.link("Continue", href="/"), rx.link("Sign in", href="/login")),
    )

