"""The errors the sign-in and password pages can show, by code.

The plain HTML forms (POST /api/auth/login-form, /api/auth/password-form) and the OIDC callback
redirect back with `?error=<code>`; the pages show the fixed message of a known code and nothing
for anything else, so a link cannot put its own text on our page (phishing).
"""

from __future__ import annotations

from traceiq_app.services.accounts import passwords

LOGIN_ERRORS: dict[str, str] = {
    "wrong_credentials": "Wrong email or password.",
    "account_locked": "Too many failed sign-ins for this account: it is locked for a while. "
                      "Try again later or reset your password.",
    "network_locked": "Too many failed sign-ins from your network: try again in a few minutes.",
    "cross_site": "The sign-in was sent from another site and was refused. Sign in on this page.",
    "sso_not_configured": "Single sign-on is not configured.",
    "sso_unreachable": "The sign-on provider could not be reached. Try again later.",
    "sso_refused": "The sign-on provider refused the sign-in.",
    "sso_expired": "The sign-in took too long or cookies are blocked; try again.",
    "sso_mismatch": "The sign-in response did not match this browser's request (state mismatch); try again.",
    "sso_invalid_token": "The ID token is not valid for this sign-in.",
    "sso_unverified_email": "Your sign-on account has no verified e-mail address.",
    "sso_linked_elsewhere": "This e-mail is linked to another sign-on account.",
    "sso_no_account": "No TraceIQ account uses your sign-on e-mail; ask an admin for an invitation.",
    "sso_deactivated": "This account is deactivated.",
    "sso_failed": "Single sign-on failed; try again or ask an admin.",
}

PASSWORD_ERRORS: dict[str, str] = {
    "password_mismatch": "The new passwords do not match.",
    "wrong_current_password": "The current password is wrong.",
    "password_too_short": f"The new password must be at least {passwords.MIN_PASSWORD_LENGTH} characters long.",
    "password_too_long": f"The new password must be at most {passwords.MAX_PASSWORD_LENGTH} characters long.",
    "password_too_simple": "The new password is too simple: use at least 4 different characters.",
    "password_is_email": "The new password must not be your email address.",
    "password_refused": "The new password was refused.",
}

# Message prefixes of the services' exceptions -> code (first match wins).
_SSO_PREFIXES = (
    ("single sign-on is not configured", "sso_not_configured"),
    ("the sign-on provider could not be reached", "sso_unreachable"),
    ("the sign-on provider refused", "sso_refused"),
    ("the sign-in took too long", "sso_expired"),
    ("the sign-in response does not match", "sso_mismatch"),
    ("the id token", "sso_invalid_token"),
    ("your sign-on account has no verified", "sso_unverified_email"),
    ("this e-mail is linked to another", "sso_linked_elsewhere"),
    ("no traceiq account uses", "sso_no_account"),
    ("this account is deactivated", "sso_deactivated"),
)
_PASSWORD_PREFIXES = (
    ("current password is wrong", "wrong_current_password"),
    ("password must be at least", "password_too_short"),
    ("password must be at most", "password_too_long"),
    ("password is too simple", "password_too_simple"),
    ("password must not be your email", "password_is_email"),
)


def _by_prefix(message: str, table: tuple[tuple[str, str], ...], default: str) -> str:
    lowered = message.lower()
    return next((code for prefix, code in table if lowered.startswith(prefix)), default)


def login_error_code(exc: Exception) -> str:
    from traceiq_app.services.accounts.rate_limit import RateLimited

    if isinstance(exc, RateLimited):
        return "network_locked" if "network" in exc.message else "account_locked"
    from traceiq_app.services.accounts.oidc import OidcError

    if isinstance(exc, OidcError):
        return _by_prefix(str(exc), _SSO_PREFIXES, "sso_failed")
    return "wrong_credentials"


def password_error_code(exc: Exception) -> str:
    return _by_prefix(str(exc), _PASSWORD_PREFIXES, "password_refused")


def login_error_message(code: str | None) -> str:
    """The message of a known code; "" for anything else (a URL cannot choose our text)."""
    return LOGIN_ERRORS.get(code or "", "")


def password_error_message(code: str | None) -> str:
    return PASSWORD_ERRORS.get(code or "", "")
