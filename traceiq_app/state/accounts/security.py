"""States of the account's security pages: /settings/security (e-mail verification, two-factor
set-up), /login/two-factor (the second sign-in step) and /verify-email/<token>.

Passwords never enter these states: disabling two-factor sign-in and changing the address are
plain HTML forms posting to /api/auth/... (api/accounts/two_factor.py). The TOTP secret and the
recovery codes are in this tab's state only until the user confirms / dismisses them.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.accounts import two_factor, verification
from traceiq_app.services.accounts.rate_limit import RateLimited
from traceiq_app.services.accounts.users import AccountError, safe_next_path
from traceiq_app.services.platform.mailer import MailError
from traceiq_app.services.platform.permissions import PermissionDenied
from traceiq_app.state.accounts.auth import (
    BEFORE_TWO_FACTOR,
    AuthState,
    ProtectedState,
    principal_for_state,
    toast_error,
)

# Fixed messages for the ?error= / ?notice= codes the forms redirect with (never text from the URL).
ERRORS = {
    "wrong_code": "That code is not valid: enter the 6 digits your app shows now, or a recovery code.",
    "wrong_password": "The password is wrong.",
    "locked": "Too many failed sign-ins: this account is locked for a while. Try again later.",
    "expired": "The sign-in took too long: enter your password again.",
    "password_first": "Sign in with your password first.",
    "email_taken": "That address is used by another account.",
    "same_email": "That is already your address.",
    "bad_email": "That is not a valid e-mail address.",
    "no_mail": "This server cannot send e-mail, so addresses cannot be changed: ask an admin.",
    "sso_email": "Your address comes from your sign-on provider: change it there.",
    "too_many_mails": "Too many e-mails sent: try again in an hour.",
    "mail_failed": "The mail server could not be reached: try again later.",
}
NOTICES = {
    "two_factor_required": "Your organization requires two-factor sign-in: set it up to continue.",
    "two_factor_off": "Two-factor sign-in is off.",
    "email_change_sent": "We e-mailed a link to the new address: the change happens when you open it.",
}


class SecurityState(ProtectedState):
    """/settings/security. Usable while an organization still waits for the user to set up
    two-factor sign-in (AuthGuard lets it through: it is the way out)."""

    _before_two_factor = True

    email: str = ""
    verified: bool = True
    mail_enabled: bool = False
    tf_enabled: bool = False
    tf_exempt: bool = False
    tf_required_by: str = ""
    codes_left: int = 0
    qr_svg: str = ""  # while setting up
    secret: str = ""  # the same secret, for typing into an app by hand
    new_codes: rx.Field[list[str]] = rx.field([])  # recovery codes, shown once
    code_error: str = ""
    error: str = ""

    def _reload(self) -> None:
        principal = self._principal_or_raise()
        state = two_factor.status(principal.user_id)
        from traceiq_app.services.platform.mailer import mail_configured

        self.email = principal.email
        self.verified = verification.is_verified(principal.user_id)
        self.mail_enabled = mail_configured()
        self.tf_enabled, self.tf_exempt = state.enabled, state.exempt
        self.tf_required_by = ", ".join(state.required_by)
        self.codes_left = state.recovery_codes_left

    @rx.event
    def load(self) -> Any:
        try:
            self._reload()
        except (PermissionDenied, AccountError) as exc:
            return toast_error(exc)
        query = self.router.url.query_parameters
        self.error = ERRORS.get(str(query.get("error") or ""), "")
        notice = NOTICES.get(str(query.get("notice") or ""), "")
        if self.error:
            return rx.toast.error(self.error)
        return rx.toast.info(notice) if notice else None

    @rx.event
    def start_two_factor(self) -> Any:
        try:
            principal = self._principal_or_raise()
            enrolment = two_factor.start_enrolment(principal.user_id)
        except (PermissionDenied, AccountError) as exc:
            return toast_error(exc)
        self.qr_svg, self.secret, self.code_error = enrolment.qr_svg, enrolment.secret, ""
        return None

    @rx.event
    def confirm_two_factor(self, form_data: dict[str, Any]) -> Any:
        try:
            principal = self._principal_or_raise()
            codes = two_factor.confirm_enrolment(principal.user_id, str(form_data.get("code", ""))[:64],
                                                 ip=self.router.session.client_ip or None)
        except AccountError as exc:
            self.code_error = str(exc)
            return None
        except PermissionDenied as exc:
            return toast_error(exc)
        self.new_codes, self.qr_svg, self.secret, self.code_error = codes, "", "", ""
        self._reload()
        return rx.toast.success("Two-factor sign-in is on.")

    @rx.event
    def renew_codes(self, form_data: dict[str, Any]) -> Any:
        try:
            principal = self._principal_or_raise()
            codes = two_factor.regenerate_recovery_codes(principal.user_id, str(form_data.get("code", ""))[:64],
                                                         ip=self.router.session.client_ip or None)
        except AccountError as exc:
            self.code_error = str(exc)
            return None
        except PermissionDenied as exc:
            return toast_error(exc)
        self.new_codes, self.code_error = codes, ""
        self._reload()
        return rx.toast.success("New recovery codes: the old ones no longer work.")

    @rx.event
    def dismiss_codes(self) -> Any:
        self.new_codes = []
        if self.tf_required_by:
            return rx.redirect("/")
        return None

    @rx.event
    def resend_verification(self) -> Any:
        try:
            principal = self._principal_or_raise()
            sent = verification.send_verification(principal.user_id, ip=self.router.session.client_ip or None)
        except RateLimited as exc:
            return rx.toast.error(exc.message)
        except MailError:
            return rx.toast.error("the mail server could not be reached; try again later")
        except (AccountError, PermissionDenied) as exc:
            return toast_error(exc)
        if not sent:
            return rx.toast.error("this server cannot send e-mail: ask an admin")
        return rx.toast.success(f"A link is on its way to {self.email}.")


BEFORE_TWO_FACTOR.add(SecurityState)


class TwoFactorPageState(AuthState):
    """/login/two-factor: public (the visitor is half signed in); shows only fixed messages."""

    next_path: str = "/"
    error: str = ""

    @rx.event
    def on_load(self) -> Any:
        self._refresh(principal_for_state(self))
        query = self.router.url.query_parameters
        self.next_path = safe_next_path(query.get("next"))
        self.error = ERRORS.get(str(query.get("error") or ""), "")
        return rx.toast.error(self.error) if self.error else None


class VerifyEmailState(AuthState):
    """/verify-email/<token>: public (a link from an e-mail; the token is the proof)."""

    verified_email: str = ""
    error: str = ""

    @rx.event
    def verify(self) -> None:
        self._refresh(principal_for_state(self))
        token = str(self.router._page.params.get("verify_token", ""))[:2000]
        try:
            self.verified_email = verification.verify_email(token, ip=self.router.session.client_ip or None)
            self.error = ""
        except AccountError as exc:
            self.verified_email, self.error = "", str(exc)
        self._refresh(principal_for_state(self))
