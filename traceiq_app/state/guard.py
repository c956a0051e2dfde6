"""THE authorization point of the catalog pages (projects, suites, tests, editor, environments,
imports). Every event handler of those states calls `require(...)` (or `signed_in(...)`) before
it reads or changes anything, and passes the authorized project id on to the services, which
scope every lookup by it.

Who is asking: `current_principal(state)` — the ONE place that knows. It asks the accounts
area's `traceiq_app.state.accounts.auth.principal_for_state` (the HttpOnly `tiq_session` cookie of the
websocket connection, resolved server-side on every event by `services.accounts.web_sessions`); if that
module is absent it resolves the same cookie itself. The catalog states also subclass
`ProtectedState`, so the `AuthGuard` middleware drops their events for signed-out clients
before any handler runs.

What they may do: `services.platform.permissions.authorize(principal, action, project_id=...)`.
"""

from __future__ import annotations

import uuid
from http.cookies import CookieError, SimpleCookie
from typing import Any

from traceiq_app.services.accounts import web_sessions
from traceiq_app.services.catalog.projects import Invalid, NotFound
from traceiq_app.services.platform.permissions import PermissionDenied, Principal, authorize

__all__ = ["DENIED", "PermissionDenied", "as_uuid", "current_principal", "error_message", "require", "signed_in"]

DENIED = (PermissionDenied, NotFound, Invalid)


def _cookie_value(header: str, name: str) -> str | None:
    if not header:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


def current_principal(state: Any) -> Principal | None:
    """The signed-in user of this browser tab, or None."""
    if hasattr(state, "_get_root_state"):
        from traceiq_app.state.accounts.auth import principal_for_state

        return principal_for_state(state)
    try:
        headers = state.router.headers
    except AttributeError:
        return None
    raw = _cookie_value(getattr(headers, "cookie", "") or "", web_sessions.COOKIE_NAME)
    if not raw:
        return None
    return web_sessions.resolve(raw)


def signed_in(state: Any) -> Principal:
    principal = current_principal(state)
    if principal is None:
        raise PermissionDenied("sign in first", status=401)
    return principal


def as_uuid(value: Any, what: str = "project") -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(what) from None


def require(state: Any, action: str, project_id: Any) -> tuple[Principal, uuid.UUID]:
    """Allow this tab's user to do `action` on the project, or raise PermissionDenied (404 when
    the project is not theirs: its existence is not revealed). Returns (principal, project id)."""
    principal = signed_in(state)
    try:
        pid = as_uuid(project_id)
    except NotFound:
        raise PermissionDenied("project not found", status=404) from None
    authorize(principal, action, project_id=pid)
    return principal, pid


def error_message(exc: BaseException) -> str:
    if isinstance(exc, PermissionDenied | NotFound | Invalid):
        return exc.message
    return str(exc)


def problem_field(message: str, fields: tuple[str, ...]) -> str:
    """Which of a form's `fields` the first "field: problem" of `message` is about ("" if none):
    the page marks that input and keeps what the user typed."""
    head = (message or "").split(";", 1)[0].split(":", 1)[0].strip().lower().replace(" ", "_")
    for field in fields:
        if head == field or head.startswith(field.rstrip("s")):
            return field
    return ""


def require_org(state: Any, action: str, org_id: Any) -> tuple[Principal, uuid.UUID]:
    """Like `require`, for organization actions ("project.create")."""
    principal = signed_in(state)
    try:
        oid = as_uuid(org_id, "organization")
    except NotFound:
        raise PermissionDenied("organization not found", status=404) from None
    authorize(principal, action, org_id=oid)
    return principal, oid


def id_from_path(state: Any, segment: str) -> str:
    """The id after `/<segment>/` in this tab's URL ("" when absent). Only a hint for which
    object to load: every handler still authorizes it."""
    import re

    try:
        path = state.router.url.path or ""
    except AttributeError:
        return ""
    match = re.search(rf"/{segment}/([0-9a-fA-F-]{{36}})(?:/|$)", path)
    return match.group(1).lower() if match else ""


def query_param(state: Any, name: str) -> str:
    try:
        return str(state.router.url.query_parameters.get(name, "") or "")
    except AttributeError:
        return ""


def can(principal: Principal, action: str, project_id: uuid.UUID) -> bool:
    """For showing/hiding buttons only; handlers still `require`."""
    from traceiq_app.services.catalog.projects import role_allows

    return role_allows(principal, action, project_id)
