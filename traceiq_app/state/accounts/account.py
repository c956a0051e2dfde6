"""Public account pages' states: sign-in page, sign-up, forgot/reset password, invitations.

These are callable by anyone (there is nobody to authorize yet); each handler only does what
its service allows an anonymous visitor to do (the services rate-limit and validate).
"""

from __future__ import annotations

import contextlib
from typing import Any

import reflex as rx

from traceiq_app.services.accounts import members, signin
from traceiq_app.services.accounts.page_errors import login_error_message, password_error_message
from traceiq_app.services.accounts.users import AccountError, safe_next_path, signup, signup_open
from traceiq_app.services.platform.mailer import MailError
from traceiq_app.services.platform.permissions import PermissionDenied
from traceiq_app.settings import get_settings
from traceiq_app.state.accounts.auth import AuthState, principal_for_state

NOTICES = {
    "signed_out": "You are signed out.",
    "password_reset": "Password changed. Sign in with your new password.",
    "signed_up": "Account created. Sign in to continue.",
    "invite_accepted": "You joined the organization. Sign in to continue.",
    "password_changed": "Password changed. Your other sessions were signed out.",
}


def _safe_next(value: str | None) -> str:
    return safe_next_path(value)


def _mail_verification(user_id: Any, ip: str | None) -> None:
    """After sign-up: send the confirmation link (the account works without it; the security
    page can send another)."""
    from traceiq_app.services.accounts import verification
    from traceiq_app.services.accounts.rate_limit import RateLimited

    with contextlib.suppress(MailError, RateLimited, AccountError):
        verification.send_verification(user_id, ip=ip)


class LoginPageState(AuthState):
    next_path: str = "/"
    error: str = ""
    email: str = ""
    oidc_enabled: bool = False
    oidc_name: str = "SSO"
    signup_open: bool = False

    @rx.event
    def on_load(self) -> Any:
        principal = principal_for_state(self)
        self._refresh(principal)
        query = self.router.url.query_parameters
        self.next_path = _safe_next(query.get("next"))
        if principal is not None:
            return rx.redirect(self.next_path)
        from traceiq_app.state.accounts.security import ERRORS

        code = query.get("error") or ""
        # Known codes only (the sign-in forms' and the two-factor step's): never text from the URL.
        self.error = login_error_message(code) or ERRORS.get(code, "")
        self.email = (query.get("email") or "")[:320]
        settings = get_settings()
        self.oidc_enabled = settings.oidc_enabled
        self.oidc_name = settings.oidc_provider_name
        self.signup_open = signup_open()
        notice = NOTICES.get(query.get("notice") or "")
        if self.error:
            return rx.toast.error(self.error)
        if notice:
            return rx.toast.success(notice)
        return None


class HomeState(AuthState):
    """The landing page: a signed-in user goes straight to their projects; a visitor sees
    "Create account" only while sign-up is possible (TRACEIQ_SIGNUP)."""

    signup_open: bool = False

    @rx.event
    def on_load(self) -> Any:
        principal = principal_for_state(self)
        self._refresh(principal)
        if principal is not None:
            return rx.redirect("/projects")
        self.signup_open = signup_open()
        return None


class SignupState(AuthState):
    error: str = ""
    open: bool = False

    @rx.event
    def on_load(self) -> None:
        self._refresh(principal_for_state(self))
        self.open = signup_open()

    @rx.event
    def submit(self, form_data: dict[str, Any]) -> Any:
        if form_data.get("password") != form_data.get("password_confirm"):
            self.error = "the two passwords differ"
            return rx.toast.error(self.error)
        try:
            user, _org = signup(str(form_data.get("email", "")), str(form_data.get("password", "")),
                                str(form_data.get("org_name", "")) or None,
                                str(form_data.get("display_name", "")) or None)
        except AccountError as exc:
            self.error = str(exc)
            return rx.toast.error(self.error)
        self.error = ""
        _mail_verification(user.id, self.router.session.client_ip or None)
        return rx.redirect("/login?notice=signed_up")


class PasswordResetState(AuthState):
    error: str = ""
    sent: bool = False
    reset_email: str = ""
    link_ok: bool = False

    @rx.event
    def request_reset(self, form_data: dict[str, Any]) -> Any:
        try:
            signin.request_password_reset(str(form_data.get("email", "")),
                                          ip=self.router.session.client_ip or None)
        except MailError:
            return rx.toast.error("the mail server could not be reached; try again later or ask an admin")
        self.sent = True
        return rx.toast.success("If an account uses this email, a reset link is on its way.")

    @rx.event
    def load_reset(self) -> None:
        token = self.router._page.params.get("reset_token", "")
        try:
            self.reset_email = signin.check_reset_token(str(token))
            self.link_ok, self.error = True, ""
        except AccountError as exc:
            self.reset_email, self.link_ok, self.error = "", False, str(exc)

    @rx.event
    def submit_reset(self, form_data: dict[str, Any]) -> Any:
        if form_data.get("password") != form_data.get("password_confirm"):
            return rx.toast.error("the two passwords differ")
        token = str(self.router._page.params.get("reset_token", ""))
        try:
            signin.reset_password(token, str(form_data.get("password", "")), ip=self.router.session.client_ip or None)
        except AccountError as exc:
            self.error = str(exc)
            return rx.toast.error(self.error)
        return rx.redirect("/login?notice=password_reset")


class InviteState(AuthState):
    error: str = ""
    invite_org: str = ""
    invite_email: str = ""
    invite_role: str = ""
    account_exists: bool = False
    valid: bool = False

    def _token(self) -> str:
        return str(self.router._page.params.get("invite_token", ""))

    @rx.event
    def load_invite(self) -> None:
        self._refresh(principal_for_state(self))
        try:
            info = members.peek_invite(self._token())
        except AccountError as exc:
            self.valid, self.error = False, str(exc)
            return
        self.valid, self.error = True, ""
        self.invite_org, self.invite_email = info["org_name"], info["email"]
        self.invite_role, self.account_exists = info["role"], info["account_exists"]

    @rx.event
    def accept(self, form_data: dict[str, Any]) -> Any:
        principal = principal_for_state(self)
        password = form_data.get("password") or None
        if password is not None and password != form_data.get("password_confirm"):
            return rx.toast.error("the two passwords differ")
        try:
            members.accept_invite(self._token(), principal=principal, password=password,
                                  display_name=form_data.get("display_name") or None,
                                  ip=self.router.session.client_ip or None)
        except (AccountError, PermissionDenied) as exc:
            self.error = str(exc)
            return rx.toast.error(self.error)
        if principal is not None:
            self._refresh(principal)
            return [rx.toast.success(f"You joined {self.invite_org}."), rx.redirect("/")]
        return rx.redirect("/login?notice=invite_accepted")


class PasswordPageState(AuthState):
    """/settings/password: shows the outcome of the plain HTML form (POST /api/auth/password-form)."""

    error: str = ""

    @rx.event
    def load_password_page(self) -> Any:
        if principal_for_state(self) is None:
            return rx.redirect("/login?next=/settings/password")
        query = self.router.url.query_parameters
        self.error = password_error_message(query.get("error"))  # known codes only
        if self.error:
            return rx.toast.error(self.error)
        notice = NOTICES.get(query.get("notice") or "")
        return rx.toast.success(notice) if notice else None
