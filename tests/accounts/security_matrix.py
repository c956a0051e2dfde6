"""Permission-matrix entries for the account security pages and routes (two-factor sign-in,
e-mail verification, organization and project allowlists). Merged into HANDLERS / ROUTES by
tests/accounts/permission_matrix.py."""

from __future__ import annotations

from typing import Any

from tests.accounts.permission_matrix import ADMINS, EVERYONE, MEMBERS, OWNERS, SIGNED_IN, H, MatrixContext, R


def _setvar(state: Any, ctx: MatrixContext) -> Any:
    from tests.accounts.permission_matrix import _setvar as base

    return base(state, ctx)


_PUBLIC_SETVAR = H(EVERYONE, _setvar, public=True, note="no setters exist")


def _on_project(state: Any, ctx: MatrixContext) -> Any:
    state.pid = str(ctx.project_id)
    return state


SECURITY_HANDLERS: dict[str, H] = {
    # /settings/security: the signed-in user's own address and second factor (no org data).
    "SecurityState.load": H(SIGNED_IN, lambda s, c: s.load()),
    "SecurityState.start_two_factor": H(SIGNED_IN, lambda s, c: s.start_two_factor()),
    "SecurityState.confirm_two_factor": H(SIGNED_IN, lambda s, c: s.confirm_two_factor({"code": "000000"})),
    "SecurityState.renew_codes": H(SIGNED_IN, lambda s, c: s.renew_codes({"code": "000000"})),
    "SecurityState.dismiss_codes": H(SIGNED_IN, None, note="clears this tab's own var"),
    "SecurityState.resend_verification": H(SIGNED_IN, lambda s, c: s.resend_verification()),
    "SecurityState.setvar": _PUBLIC_SETVAR,
    "TwoFactorPageState.on_load": H(EVERYONE, lambda s, c: s.on_load(), public=True,
                                    note="shows only fixed messages for ?error= codes"),
    "TwoFactorPageState.setvar": _PUBLIC_SETVAR,
    "VerifyEmailState.verify": H(EVERYONE, lambda s, c: s.verify(), public=True, note="the signed link is the proof"),
    "VerifyEmailState.setvar": _PUBLIC_SETVAR,
    # /settings/organization (other_org works in its own org: nothing of Acme's).
    "OrgSecurityState.load": H(MEMBERS, lambda s, c: s.load()),
    "OrgSecurityState.save_hosts": H(ADMINS, lambda s, c: s.save_hosts({"allowed_hosts": "shop.acme.test"})),
    "OrgSecurityState.set_require_two_factor": H(OWNERS, lambda s, c: s.set_require_two_factor(True),
                                                 note="alice has no second factor: refused with a field error"),
    "OrgSecurityState.set_allow_link_local": H(OWNERS, lambda s, c: s.set_allow_link_local(True)),
    "OrgSecurityState.setvar": _PUBLIC_SETVAR,
    # /projects/<id>/settings
    "ProjectSettingsState.load": H(MEMBERS, lambda s, c: _on_project(s, c).load()),
    "ProjectSettingsState.save_hosts": H(ADMINS, lambda s, c: _on_project(s, c).save_hosts(
        {"allowed_hosts": "shop.acme.test\n*.cdn.acme.test"})),
    "ProjectSettingsState.setvar": _PUBLIC_SETVAR,
}

SECURITY_ROUTES: dict[tuple[str, str], R] = {
    ("POST", "/api/auth/two-factor"): R(EVERYONE, public=True),
    ("POST", "/api/auth/two-factor-form"): R(EVERYONE, public=True),
    # The caller's own account only (no password given here: nothing changes).
    ("POST", "/api/auth/two-factor/disable-form"): R(SIGNED_IN),
    ("POST", "/api/auth/email-form"): R(SIGNED_IN),
    ("GET", "/api/orgs/{org_id}/security"): R(MEMBERS),
    ("PATCH", "/api/orgs/{org_id}/security"): R(ADMINS, json={"allowed_hosts": ["shop.acme.test"]}),
    ("GET", "/api/projects/{project_id}/allowed-hosts"): R(MEMBERS),
    ("PUT", "/api/projects/{project_id}/allowed-hosts"): R(ADMINS, json={"allowed_hosts": ["shop.acme.test"]}),
}
