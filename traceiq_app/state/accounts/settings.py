"""Protected settings pages: API tokens, members & invitations, the audit log.

Every handler authorizes on the server first (`self._require(...)`); a failure becomes an
error toast and changes nothing. Vars hold only what the user may see.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import reflex as rx

from traceiq_app.db import session_scope
from traceiq_app.services.accounts import members, tokens
from traceiq_app.services.accounts.users import AccountError
from traceiq_app.services.platform import audit
from traceiq_app.services.platform.mailer import MailError
from traceiq_app.services.platform.permissions import PermissionDenied, can
from traceiq_app.state.accounts.auth import ProtectedState, toast_error

AUDIT_PAGE = 50


class TokensState(ProtectedState):
    tokens: list[dict[str, Any]] = []
    new_token: str = ""  # shown once, right after creation
    error: str = ""

    @rx.event
    def load_tokens(self) -> Any:
        try:
            principal, grant = self._require("token.manage")
            with session_scope() as session:
                rows = tokens.list_tokens(session, principal, grant.org_id)
        except PermissionDenied as exc:
            self.tokens = []
            return toast_error(exc)
        self.tokens = [dict(r, scopes=", ".join(r["scopes"]), project_id=r["project_id"] or "",
                            expires_at=utc_minute(r["expires_at"] or "", "never"),
                            last_used_at=utc_minute(r["last_used_at"] or "", "never"),
                            owner=r["owner"] or "") for r in rows]
        return None

    @rx.event
    def create_token(self, form_data: dict[str, Any]) -> Any:
        scopes = [s for s in ("read", "run", "write", "admin") if form_data.get(f"scope_{s}")]
        expires = str(form_data.get("expires_days") or "").strip()
        try:
            principal, grant = self._require("token.manage")
            raw, _info = tokens.create_token_as(
                principal, grant.org_id, name=str(form_data.get("name", "")), scopes=scopes or ["read"],
                project_id=None, expires_days=int(expires) if expires else None,
            )
        except ValueError as exc:  # AccountError is a ValueError; int() too
            return rx.toast.error(str(exc) if isinstance(exc, AccountError) else "expiry must be a number of days")
        except PermissionDenied as exc:
            return toast_error(exc)
        self.new_token = raw
        return [TokensState.load_tokens, _reset_form("token-form"), rx.toast.success("Token created: copy it now, it is shown only once.")]

    @rx.event
    def dismiss_new_token(self) -> None:
        self.new_token = ""

    @rx.event
    def revoke_token(self, token_id: str) -> Any:
        try:
            principal, grant = self._require("token.manage")
            tokens.revoke_token(principal, grant.org_id, token_id)
        except PermissionDenied as exc:
            return toast_error(exc)
        return [TokensState.load_tokens, rx.toast.success("Token revoked.")]


class MembersState(ProtectedState):
    members: list[dict[str, Any]] = []
    invites: rx.Field[list[dict[str, Any]]] = rx.field([])  # pending invitations (for those who may invite)
    can_manage: bool = False
    invite_link: str = ""

    @rx.event
    def load_members(self) -> Any:
        try:
            principal, grant = self._require("member.read")
            self.members = [dict(r, last_login_at=utc_minute(r["last_login_at"], "never"))
                            for r in members.list_members(principal, grant.org_id)]
            self.can_manage = can(principal, "member.manage", org_id=grant.org_id)
            self.invites = _invite_rows(principal, grant.org_id) if self.can_manage else []
        except PermissionDenied as exc:
            self.members, self.invites, self.can_manage = [], [], False
            return toast_error(exc)
        return None

    @rx.event
    def invite(self, form_data: dict[str, Any]) -> Any:
        try:
            principal, grant = self._require("member.invite")
            link, mailed = members.create_invite(principal, grant.org_id, str(form_data.get("email", "")),
                                                 str(form_data.get("role") or "member"))
        except (AccountError, PermissionDenied, MailError) as exc:
            return toast_error(exc)
        self.invite_link = link
        return [MembersState.load_members, _reset_form("invite-form"),
                rx.toast.success("Invitation e-mailed." if mailed else "Invitation link created: send it yourself.")]

    @rx.event
    def revoke_invite(self, invite_id: str) -> Any:
        try:
            principal, grant = self._require("member.invite")
            members.revoke_invite(principal, grant.org_id, str(invite_id))
        except (AccountError, PermissionDenied) as exc:
            return toast_error(exc)
        self.invite_link = ""
        return [MembersState.load_members, rx.toast.success("Invitation revoked: its link no longer works.")]

    @rx.event
    def set_role(self, user_id: str, role: str) -> Any:
        try:
            principal, grant = self._require("member.manage")
            members.set_org_role(principal, grant.org_id, user_id, role)
        except (AccountError, PermissionDenied) as exc:
            return toast_error(exc)
        return [MembersState.load_members, rx.toast.success("Role changed.")]

    @rx.event
    def remove(self, user_id: str) -> Any:
        try:
            principal, grant = self._require("member.manage")
            members.remove_member(principal, grant.org_id, user_id)
        except (AccountError, PermissionDenied) as exc:
            return toast_error(exc)
        return [MembersState.load_members, rx.toast.success("Member removed.")]


def utc_minute(iso: str, empty: str = "") -> str:
    """How the settings pages show a moment: "2026-11-21 11:40 UTC" (`empty` for none)."""
    if not iso:
        return empty
    stamp = datetime.fromisoformat(iso)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _invite_rows(principal: Any, org_id: Any) -> list[dict[str, Any]]:
    return [dict(r, expires_at=utc_minute(r["expires_at"])) for r in members.list_invites(principal, org_id)]


class AuditState(ProtectedState):
    entries: list[dict[str, Any]] = []
    filter_action: str = ""
    filter_actor: str = ""
    filter_days: str = "30"
    page: int = 0
    has_more: bool = False

    def _load(self) -> Any:
        try:
            _principal, grant = self._require("audit.read")
            days = int(self.filter_days) if self.filter_days.isdigit() else 30
            since = datetime.now(UTC) - timedelta(days=max(1, min(days, 3650)))
            with session_scope() as session:
                rows = audit.query(session, grant.org_id, action=self.filter_action.strip() or None,
                                   actor=self.filter_actor.strip() or None, since=since,
                                   limit=AUDIT_PAGE + 1, offset=self.page * AUDIT_PAGE)
        except PermissionDenied as exc:
            self.entries, self.has_more = [], False
            return toast_error(exc)
        self.has_more = len(rows) > AUDIT_PAGE
        self.entries = [
            {**audit.to_dict(r), "details": ", ".join(f"{k}={v}" for k, v in (r.details or {}).items()),
             "actor": r.actor_label or "system", "created_at": r.created_at.strftime("%Y-%m-%d %H:%M:%S")}
            for r in rows[:AUDIT_PAGE]
        ]
        return None

    @rx.event
    def load_audit(self) -> Any:
        return self._load()

    @rx.event
    def apply_filters(self, form_data: dict[str, Any]) -> Any:
        self.filter_action = str(form_data.get("action", ""))[:100]
        self.filter_actor = str(form_data.get("actor", ""))[:320]
        self.filter_days = str(form_data.get("days", "30"))[:5]
        self.page = 0
        return self._load()

    @rx.event
    def next_page(self) -> Any:
        if self.has_more:
            self.page += 1
        return self._load()

    @rx.event
    def prev_page(self) -> Any:
        self.page = max(0, self.page - 1)
        return self._load()


def _reset_form(form_id: str) -> Any:
    """Empty a form after the server accepted it (forms are not reset on submit: a refused one
    keeps what the user typed)."""
    return rx.call_script(f"document.getElementById('{form_id}')?.reset()")
