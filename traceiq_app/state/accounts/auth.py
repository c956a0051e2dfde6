"""Who is signed in, for Reflex states, and the guard that keeps signed-out clients out.

The session lives in the HttpOnly `tiq_session` cookie set by `POST /api/auth/login` (a plain
HTML form on /login). The browser sends it with the websocket handshake, so every event's
`self.router.headers.cookie` carries it; states resolve the user SERVER-SIDE on every event
(`_principal()`), never from state vars a client could forge.

Rules for every state that shows or changes non-public data:

* subclass `ProtectedState`: `AuthGuard` (an `rx.Middleware`, installed in traceiq_app.py)
  drops its events when the client is not signed in, and redirects to /login;
* in EVERY event handler call `self._require(action, project_id=... | org_id=...)` (or
  `self._principal_or_raise()` for per-user data) before reading or writing anything;
* helpers start with `_` (every public method is callable from a raw websocket frame);
* add the handler to the permission matrix (tests/accounts/permission_matrix.py).
"""

from __future__ import annotations

import logging
import uuid
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import urlencode

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate

from traceiq_app.db import session_scope
from traceiq_app.services.accounts import web_sessions
from traceiq_app.services.accounts.users import memberships, safe_next_path
from traceiq_app.services.platform.permissions import Grant, PermissionDenied, Principal, authorize


def session_cookie_from_header(cookie_header: str | None) -> str | None:
    if not cookie_header:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(web_sessions.COOKIE_NAME)
    return morsel.value if morsel else None


def principal_for_state(state: BaseState) -> Principal | None:
    root = state._get_root_state()
    router = root.router
    cookie = session_cookie_from_header(router.headers.cookie)
    return web_sessions.resolve(cookie, ip=router.session.client_ip or None)


# Protected states usable while an organization waits for the user to set up two-factor sign-in
# (the set-up page itself); every other protected event is refused until then.
BEFORE_TWO_FACTOR: set[type] = set()
TWO_FACTOR_SETUP = "/settings/security?notice=two_factor_required"


def two_factor_setup_pending(principal: Principal) -> bool:
    from traceiq_app.services.accounts.two_factor import enrolment_required

    return enrolment_required(principal.user_id)


# Pages a signed-out visitor is meant to be on: never a target of "sign in first".
SIGN_IN_PAGES = frozenset({"/login", "/login/two-factor", "/logout", "/signup"})


def login_url(next_path: str) -> str:
    """/login?next=<this page>, for local paths only."""
    next_path = safe_next_path(next_path)
    if next_path != "/" and next_path.endswith("/"):
        next_path = next_path.rstrip("/")
    return "/login?" + urlencode({"next": next_path})


# Pages of one project (or of its runs and tests): they belong to the organization they are in.
PROJECT_PAGE_PREFIXES = ("/projects/", "/tests/", "/runs/", "/manual-runs/")


def page_after_org_switch(path: str, query: str = "") -> str:
    """Where the tab goes once the user picked another organization: from a project's page
    (which belongs to the organization left) to the new one's projects; any other page is
    opened again, so its on_load lists what the new organization holds."""
    path = path.rstrip("/") or "/"  # the router reports "/defects/" for /defects
    if path.startswith(PROJECT_PAGE_PREFIXES):
        return "/projects"
    return path + (f"?{query}" if query else "")


class AuthState(rx.State):
    """Public: what the navbar shows about the signed-in user. Safe for anyone to call."""

    signed_in: bool = False
    user_email: str = ""
    user_name: str = ""
    orgs: list[dict[str, str]] = []
    org_id: str = ""
    org_name: str = ""
    org_role: str = ""

    def _principal(self) -> Principal | None:
        return principal_for_state(self)

    def _principal_or_raise(self) -> Principal:
        principal = self._principal()
        if principal is None:
            raise PermissionDenied("sign in first", status=401)
        return principal

    def _current_org_id(self, principal: Principal) -> uuid.UUID:
        """The org the user works in: the selected one if they (still) belong to it, else their
        first. Never trust `self.org_id` alone: a client could have sent anything."""
        with session_scope() as session:
            found = memberships(session, principal.user_id)
        if not found:
            raise PermissionDenied("you are not a member of any organization", status=403)
        for m in found:
            if str(m.org_id) == self.org_id:
                return m.org_id
        return found[0].org_id

    def _require(self, action: str, *, project_id: uuid.UUID | str | None = None,
                 org_id: uuid.UUID | str | None = None) -> tuple[Principal, Grant]:
        """Authorize the signed-in user for `action`; org actions default to the current org."""
        principal = self._principal_or_raise()
        if project_id is None and org_id is None:
            org_id = self._current_org_id(principal)
        return principal, authorize(principal, action, project_id=project_id, org_id=org_id)

    def _refresh(self, principal: Principal | None) -> None:
        if principal is None:
            self.signed_in, self.user_email, self.user_name = False, "", ""
            self.orgs, self.org_id, self.org_name, self.org_role = [], "", "", ""
            return
        from traceiq_app.models import User

        with session_scope() as session:
            found = memberships(session, principal.user_id)
            user = session.get(User, principal.user_id)
        self.signed_in = True
        self.user_email = principal.email
        self.user_name = (user.display_name if user else None) or principal.email
        self.orgs = [{"id": str(m.org_id), "name": m.org_name, "role": m.role.value} for m in found]
        current = next((m for m in found if str(m.org_id) == self.org_id), found[0] if found else None)
        self.org_id = str(current.org_id) if current else ""
        self.org_name = current.org_name if current else ""
        self.org_role = current.role.value if current else ""

    @rx.event
    def load_session(self) -> None:
        """on_load of every page: fill the navbar."""
        self._refresh(self._principal())

    @rx.event
    def select_org(self, org_id: str) -> Any:
        principal = self._principal()
        if principal is None:
            return None
        with session_scope() as session:
            if not any(str(m.org_id) == org_id for m in memberships(session, principal.user_id)):
                return None  # not theirs: ignore silently
        changed = org_id != self.org_id
        self.org_id = org_id
        self._refresh(principal)
        if not changed:
            return None
        url = self.router.url
        return rx.redirect(page_after_org_switch(url.path or "/", url.query))

    @rx.event
    def require_login(self) -> Any:
        """on_load of protected pages: signed-out visitors go to /login?next=<this page>."""
        principal = self._principal()
        self._refresh(principal)
        if principal is None:
            return rx.redirect(login_url(self.router.url.path or "/"))
        if (self.router.url.path or "/").rstrip("/") != "/settings/security" and two_factor_setup_pending(principal):
            return rx.redirect(TWO_FACTOR_SETUP)
        return None


class ProtectedState(AuthState):
    """Base of every state with non-public data: its events need a signed-in client."""


# Reflex builtins every state has that no page of ours calls: refused for everyone, before the
# handler runs (`setvar` with a name it cannot set used to end in an unhandled error).
REFUSED_BUILTINS = frozenset({"setvar"})
log = logging.getLogger("traceiq.auth_guard")


class AuthGuard(Middleware):
    """Drops events aimed at ProtectedState subclasses from signed-out clients (before the
    handler runs, background events included) and sends them to /login."""

    async def preprocess(self, app: Any, state: BaseState, event: Any) -> StateUpdate | None:
        path, _, handler = str(event.name).rpartition(".")
        if not path:
            return None
        if handler in REFUSED_BUILTINS:
            # Reflex's generic setter: no UI of ours sends it, so only a crafted frame does.
            log.warning("refused a raw %s event (%s) from a client", handler, path.rpartition(".")[2])
            return StateUpdate(events=rx.event.Event.from_event_type(
                rx.toast.error(f"Refused: the app does not accept '{handler}' events.")))
        try:
            target = type(state._get_root_state()).get_class_substate(path)
        except ValueError:
            return None
        if not issubclass(target, ProtectedState):
            return None
        import asyncio

        principal = await asyncio.to_thread(principal_for_state, state)
        if principal is not None:
            if target in BEFORE_TWO_FACTOR or not await asyncio.to_thread(two_factor_setup_pending, principal):
                return None
            return StateUpdate(events=rx.event.Event.from_event_type(rx.redirect(TWO_FACTOR_SETUP)))
        path = state._get_root_state().router.url.path or "/"
        if path.rstrip("/") in SIGN_IN_PAGES:
            # A late event of the page just left (a poll after sign-out) reaching a sign-in page:
            # drop it. Sending the tab to /login?next=/login would replace where the visitor
            # asked to go with the sign-in page itself.
            return StateUpdate()
        return StateUpdate(events=rx.event.Event.from_event_type(rx.redirect(login_url(path))))


def toast_error(exc: Exception) -> Any:
    message = exc.message if isinstance(exc, PermissionDenied) else str(exc)
    return rx.toast.error(message)
