"""THE declared permission matrix: who may call every Reflex event handler and every /api route.

`tests/accounts/test_permission_matrix.py` enumerates every event handler of every `rx.State`
subclass defined in traceiq_app and every /api route of `create_api()`, FAILS when one has no
entry here, and drives each as each persona, asserting allow/deny (see docs/security.md).

Personas (in org "Acme" unless said otherwise; project = Acme's "Web shop"; Acme has one pending
invitation, `ctx.invite_id`):
  owner     alice - org owner (project owner)
  admin     dave  - org admin (no project membership: admin through the org role)
  editor    bob   - org member, project editor
  viewer    erin  - org member, project viewer
  other_org charlie - owner of another org (Globex), nothing in Acme
  anonymous - not signed in

Handler entries: `H(allow, call)`. `call(state, ctx)` invokes the handler on a state instance
whose websocket carries the persona's session cookie; `ctx` (`MatrixContext`) holds Acme's ids
and makes fresh objects (e.g. `ctx.alice_token_id()`). `call=None` declares the handler
without driving it (only for handlers that touch nothing but the tab's own vars).
An allowed call must raise no PermissionDenied; a denied one must raise PermissionDenied
(anonymous always), and must neither put Acme data into the state nor change Acme's rows.

Route entries: `R(allow, path_params, json)`; `{placeholders}` in the path, the query values and
the strings of the JSON body are filled from `ctx.path_values()`; allowed = status < 400,
denied = 401/403/404 (anonymous: 401). `around` wraps a request that needs more than the
database (e.g. the matrix's redis-server) and checks what it did there.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

PERSONAS = ("owner", "admin", "editor", "viewer", "other_org", "anonymous")
EVERYONE = frozenset(PERSONAS)
SIGNED_IN = frozenset(PERSONAS) - {"anonymous"}
MEMBERS = frozenset({"owner", "admin", "editor", "viewer"})
EDITORS = frozenset({"owner", "admin", "editor"})
ADMINS = frozenset({"owner", "admin"})
OWNERS = frozenset({"owner"})
NOBODY: frozenset[str] = frozenset()


@dataclass
class MatrixContext:
    acme_id: uuid.UUID
    globex_id: uuid.UUID
    project_id: uuid.UUID
    globex_project_id: uuid.UUID
    user_ids: dict[str, uuid.UUID]
    make_alice_token: Callable[[], uuid.UUID]
    invite_id: uuid.UUID  # a pending invitation of Acme's (alice invited nina@acme.test)
    # A real redis-server of the matrix's own (RQ queues, stop signals). REDIS_URL is NOT set
    # while handlers run; the drivers that need Redis point the app at it for their call.
    redis_url: str = ""
    _alice_token: uuid.UUID | None = None

    def alice_token_id(self) -> uuid.UUID:
        """An active API token of alice's in Acme (made once per case, before the call)."""
        if self._alice_token is None:
            self._alice_token = self.make_alice_token()
        return self._alice_token

    def path_values(self, path: str | None = None) -> dict[str, str]:
        """Values for a route's `{placeholders}` (only those `path` uses, when given). Other areas
        register theirs in PATH_VALUES (e.g. `PATH_VALUES["run_id"] = lambda c: make_run(c)`)."""
        wanted = set(re.findall(r"{(\w+)}", path)) if path is not None else set(PATH_VALUES)
        missing = wanted - set(PATH_VALUES)
        if missing:
            raise KeyError(f"no PATH_VALUES entry for {sorted(missing)} (tests/accounts/permission_matrix.py)")
        return {name: str(PATH_VALUES[name](self)) for name in sorted(wanted)}


# placeholder -> how to get an Acme value for it (may create a row; runs before the call)
class _SetOnce(dict):  # type: ignore[type-arg]
    """PATH_VALUES: each domain's matrix adds the values of its own path parameters; two domains
    naming a parameter alike would silently replace one another's (a manual route was once probed
    with a defect attachment's id), so a second, different value for a name is refused."""

    def __setitem__(self, key: str, value: Any) -> None:
        if key in self and self[key] is not value:
            raise KeyError(f"PATH_VALUES[{key!r}] is set twice: give one of the routes' path parameters its own name")
        super().__setitem__(key, value)


PATH_VALUES: dict[str, Callable[[MatrixContext], Any]] = _SetOnce({
    "org_id": lambda c: c.acme_id,
    "rule_id": lambda c: _acme_retention_rule(c),
    "project_id": lambda c: c.project_id,
    "user_id": lambda c: c.user_ids["editor"],
    "token_id": lambda c: c.alice_token_id(),
    "invite_id": lambda c: c.invite_id,
})


@dataclass(frozen=True)
class H:
    allow: frozenset[str]
    call: Callable[[Any, MatrixContext], Any] | None
    public: bool = False  # anyone may call it; it reveals/changes nothing of an org
    note: str = ""
    # `prepare(ctx)`: makes the Acme rows the call acts on BEFORE the "before" fingerprint
    # (drivers that make them inside `call` are fine while those tables are not fingerprinted).
    prepare: Callable[[MatrixContext], Any] | None = None


@dataclass(frozen=True)
class R:
    allow: frozenset[str]
    json: dict[str, Any] | None = None
    query: dict[str, str] = field(default_factory=dict)
    public: bool = False
    skip_drive: str = ""  # reason when the route cannot be driven generically
    note: str = ""
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None  # a multipart upload instead of `json`
    # `around(ctx, values)`: a context manager entered once the path values exist, just before
    # the request; it yields `check(response)`, which the test calls after the request inside the
    # block (e.g. point the app at `ctx.redis_url`, then compare what Redis holds with the rows).
    around: Callable[[MatrixContext, dict[str, str]], AbstractContextManager[Callable[[Any], None]]] | None = None


def json_strings(value: Any) -> list[str]:
    """Every string inside a JSON body (where `{placeholders}` may appear)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in json_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in json_strings(v)]
    return []


def fill_json(value: Any, values: dict[str, str]) -> Any:
    """The JSON body with its `{placeholders}` filled from `values`."""
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, dict):
        return {k: fill_json(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_json(v, values) for v in value]
    return value


def _setvar(state: Any, ctx: MatrixContext) -> Any:
    # No state defines setters, so setvar can set nothing (it calls `set_<name>`).
    try:
        state.setvar("org_id", str(ctx.acme_id))
    except (AttributeError, TypeError):
        return None
    raise AssertionError("setvar set a var: a set_<name> method exists without authorization")


_PUBLIC_SETVAR = H(EVERYONE, _setvar, public=True, note="no setters exist")


def _acme_retention_rule(ctx: MatrixContext) -> uuid.UUID:
    """The org-wide rule of Acme's the template holds."""
    from sqlmodel import select

    from traceiq_app.db import session_scope
    from traceiq_app.models import RetentionRule

    with session_scope() as session:
        return session.exec(select(RetentionRule.id).where(RetentionRule.org_id == ctx.acme_id)).one()


def _one_round(state: Any, handler: str, seconds: float = 2.0) -> Any:
    """A background task that refreshes forever: run it for one round (denied ones end at once)."""
    import asyncio
    import contextlib

    async def bounded() -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(type(state).event_handlers[handler].fn(state), seconds)

    return asyncio.run(bounded())

HANDLERS: dict[str, H] = {
    # --- traceiq_app.state.accounts.auth -----------------------------------------------------------
    "AuthState.load_session": H(EVERYONE, lambda s, c: s.load_session(), public=True),
    "AuthState.require_login": H(EVERYONE, lambda s, c: s.require_login(), public=True),
    "AuthState.select_org": H(EVERYONE, lambda s, c: s.select_org(str(c.acme_id)), public=True,
                              note="ignored unless the user belongs to the org"),
    "AuthState.setvar": _PUBLIC_SETVAR,
    "ProtectedState.setvar": _PUBLIC_SETVAR,
    # --- traceiq_app.state.accounts.account (public pages) --------------------------------------------
    "LoginPageState.on_load": H(EVERYONE, lambda s, c: s.on_load(), public=True),
    "LoginPageState.setvar": _PUBLIC_SETVAR,
    "HomeState.on_load": H(EVERYONE, lambda s, c: s.on_load(), public=True,
                           note="signed in: redirects to /projects; else only says whether sign-up is open"),
    "HomeState.setvar": _PUBLIC_SETVAR,
    "SignupState.on_load": H(EVERYONE, lambda s, c: s.on_load(), public=True),
    "SignupState.submit": H(EVERYONE, lambda s, c: s.submit({
        "email": "mallory@acme.test", "org_name": "Acme", "password": "long enough pass",
        "password_confirm": "long enough pass"}), public=True, note="closed once users exist; never joins an org"),
    "SignupState.setvar": _PUBLIC_SETVAR,
    "PasswordResetState.request_reset": H(EVERYONE, lambda s, c: s.request_reset({"email": "alice@acme.test"}),
                                          public=True),
    "PasswordResetState.load_reset": H(EVERYONE, lambda s, c: s.load_reset(), public=True),
    "PasswordResetState.submit_reset": H(EVERYONE, lambda s, c: s.submit_reset({
        "password": "a new long password", "password_confirm": "a new long password"}), public=True),
    "PasswordResetState.setvar": _PUBLIC_SETVAR,
    "PasswordPageState.load_password_page": H(EVERYONE, lambda s, c: s.load_password_page(), public=True,
                                              note="shows only this tab's ?error/?notice; signed-out users are redirected"),
    "PasswordPageState.setvar": _PUBLIC_SETVAR,
    "InviteState.load_invite": H(EVERYONE, lambda s, c: s.load_invite(), public=True),
    "InviteState.accept": H(EVERYONE, lambda s, c: s.accept({"password": "long enough pass",
                                                             "password_confirm": "long enough pass"}), public=True),
    "InviteState.setvar": _PUBLIC_SETVAR,
    # --- traceiq_app.state.accounts.settings (protected) ----------------------------------------------
    "TokensState.load_tokens": H(MEMBERS, lambda s, c: s.load_tokens()),
    "TokensState.create_token": H(MEMBERS, lambda s, c: s.create_token({"name": "m", "scope_read": "on"})),
    "TokensState.revoke_token": H(ADMINS, lambda s, c: s.revoke_token(str(c.alice_token_id())),
                                  note="alice's token: her org's admins may revoke it"),
    "TokensState.dismiss_new_token": H(EVERYONE, lambda s, c: s.dismiss_new_token(), public=True,
                                       note="clears this tab's own var"),
    "TokensState.setvar": _PUBLIC_SETVAR,
    "MembersState.load_members": H(MEMBERS, lambda s, c: s.load_members()),
    "MembersState.invite": H(ADMINS, lambda s, c: s.invite({"email": "new@acme.test", "role": "member"})),
    "MembersState.set_role": H(ADMINS, lambda s, c: s.set_role(str(c.user_ids["editor"]), "admin")),
    "MembersState.remove": H(ADMINS, lambda s, c: s.remove(str(c.user_ids["editor"]))),
    "MembersState.revoke_invite": H(ADMINS, lambda s, c: s.revoke_invite(str(c.invite_id))),
    "MembersState.setvar": _PUBLIC_SETVAR,
    "AuditState.load_audit": H(ADMINS, lambda s, c: s.load_audit()),
    "AuditState.apply_filters": H(ADMINS, lambda s, c: s.apply_filters({"action": "", "actor": "", "days": "30"})),
    "AuditState.next_page": H(ADMINS, lambda s, c: s.next_page()),
    "AuditState.prev_page": H(ADMINS, lambda s, c: s.prev_page()),
    "AuditState.setvar": _PUBLIC_SETVAR,
    "SystemState.load": H(ADMINS, lambda s, c: s.load()),
    "SystemState.follow": H(ADMINS, lambda s, c: _one_round(s, "follow"),
                            note="background refresh: authorizes every round before reading"),
    "SystemState.setvar": _PUBLIC_SETVAR,
    "RetentionState.load_rules": H(ADMINS, lambda s, c: s.load_rules()),
    "RetentionState.set_field": H(EVERYONE, lambda s, c: s.set_field("keep_days", "3"), public=True,
                                  note="edits this tab's own form"),
    "RetentionState.preview": H(ADMINS, lambda s, c: (s.set_field("keep_days", "1"), s.preview())),
    "RetentionState.save": H(ADMINS, lambda s, c: (s.set_field("keep_days", "400"), s.save())),
    "RetentionState.remove": H(ADMINS, lambda s, c: s.remove(str(_acme_retention_rule(c)))),
    "RetentionState.setvar": _PUBLIC_SETVAR,
}

# (method, path) -> entry. Public routes are callable by anyone and are not driven per persona.
ROUTES: dict[tuple[str, str], R] = {
    ("GET", "/api/health"): R(EVERYONE, public=True),  # details only for owners/admins or the health token
    ("GET", "/api/health/live"): R(EVERYONE, public=True),
    ("GET", "/metrics"): R(EVERYONE, public=True),  # open unless TRACEIQ_METRICS_TOKEN is set
    ("GET", "/api/v1/openapi.json"): R(EVERYONE, public=True),
    ("GET", "/api/docs"): R(EVERYONE, public=True),
    ("GET", "/api/docs/assets/{name}"): R(EVERYONE, public=True, note="the swagger-ui-bundle package's files"),
    # Unknown /api/v1 paths: 404 in the error envelope (api/platform/v1_docs.py), nothing else.
    **{(m, "/api/v1/{rest:path}"): R(EVERYONE, public=True) for m in ("GET", "POST", "PUT", "PATCH", "DELETE")},
    ("POST", "/api/auth/login"): R(EVERYONE, public=True),
    ("POST", "/api/auth/login-form"): R(EVERYONE, public=True),
    # Changes only the caller's own password (wrong current password here: nothing changes).
    ("POST", "/api/auth/password-form"): R(SIGNED_IN),
    ("POST", "/api/auth/logout"): R(EVERYONE, public=True),
    ("GET", "/api/auth/config"): R(EVERYONE, public=True),
    ("POST", "/api/auth/password-reset"): R(EVERYONE, public=True),
    ("POST", "/api/auth/password-reset/confirm"): R(EVERYONE, public=True),
    ("GET", "/api/auth/oidc/login"): R(EVERYONE, public=True),
    ("GET", "/api/auth/oidc/callback"): R(EVERYONE, public=True),
    ("GET", "/api/me"): R(SIGNED_IN),
    ("GET", "/api/orgs/{org_id}/tokens"): R(MEMBERS),
    ("POST", "/api/orgs/{org_id}/tokens"): R(MEMBERS, json={"name": "m", "scopes": ["read"]}),
    ("DELETE", "/api/orgs/{org_id}/tokens/{token_id}"): R(ADMINS),
    ("GET", "/api/audit"): R(ADMINS, query={"org_id": "{org_id}"}),
    ("GET", "/api/v1/system"): R(ADMINS, query={"org_id": "{org_id}"}),
    ("GET", "/api/v1/system/retention"): R(ADMINS, query={"org_id": "{org_id}"}),
    ("POST", "/api/v1/system/retention/preview"): R(ADMINS, query={"org_id": "{org_id}"}, json={"keep_days": 5}),
    ("PUT", "/api/v1/system/retention"): R(ADMINS, query={"org_id": "{org_id}"}, json={"keep_days": 400}),
    ("DELETE", "/api/v1/system/retention/{rule_id}"): R(ADMINS, query={"org_id": "{org_id}"}),
    ("GET", "/api/orgs/{org_id}/members"): R(MEMBERS),
    ("PATCH", "/api/orgs/{org_id}/members/{user_id}"): R(ADMINS, json={"role": "admin"}),
    ("DELETE", "/api/orgs/{org_id}/members/{user_id}"): R(ADMINS),
    ("POST", "/api/orgs/{org_id}/invites"): R(ADMINS, json={"email": "new@acme.test", "role": "member"}),
    ("GET", "/api/orgs/{org_id}/invites"): R(ADMINS),
    ("DELETE", "/api/orgs/{org_id}/invites/{invite_id}"): R(ADMINS),
    ("GET", "/api/projects/{project_id}/members"): R(MEMBERS),
    ("PUT", "/api/projects/{project_id}/members/{user_id}"): R(ADMINS, json={"role": "viewer"}),
}


def _on_project(state: Any, ctx: MatrixContext) -> Any:
    state.pid = str(ctx.project_id)
    return state


# --- traceiq_app.state.accounts.project_members (/projects/<id>/members) ---------------------------------
# bob (editor) is changed/removed; dave (org admin, no project row) is added. Only project owners
# may touch an owner's row or hand out "owner": alice's own row is not what these drive.
HANDLERS.update({
    "ProjectMembersState.load": H(MEMBERS, lambda s, c: _on_project(s, c).load(),
                                  note="viewers see the list read-only"),
    "ProjectMembersState.set_role": H(ADMINS, lambda s, c: _on_project(s, c).set_role(
        str(c.user_ids["editor"]), "viewer")),
    "ProjectMembersState.remove": H(ADMINS, lambda s, c: _on_project(s, c).remove(str(c.user_ids["editor"]))),
    "ProjectMembersState.add": H(ADMINS, lambda s, c: _on_project(s, c).add(
        {"user_id": str(c.user_ids["admin"]), "role": "editor"})),
    "ProjectMembersState.setvar": _PUBLIC_SETVAR,
})

# --- catalog states (projects, suites, editor, environments, imports): see tests/catalog/catalog_matrix.py
from tests.catalog.catalog_matrix import CATALOG_HANDLERS  # noqa: E402

HANDLERS.update(CATALOG_HANDLERS)

# --- run pages (runs list, run dialog, live run) and the trace viewer: see tests/runs/runs_matrix.py
from tests.runs.runs_matrix import RUNS_HANDLERS, RUNS_ROUTES  # noqa: E402

HANDLERS.update(RUNS_HANDLERS)
ROUTES.update(RUNS_ROUTES)

# --- Schedules page and Notifications page: tests/runs/schedules_matrix.py, tests/notifications/notifications_matrix.py
from tests.runs.schedules_matrix import SCHEDULE_HANDLERS  # noqa: E402

HANDLERS.update(SCHEDULE_HANDLERS)
from tests.notifications.notifications_matrix import NOTIFICATION_HANDLERS  # noqa: E402

HANDLERS.update(NOTIFICATION_HANDLERS)

# --- account security: two-factor, e-mail verification, allowlists: see tests/accounts/security_matrix.py
from tests.accounts.security_matrix import SECURITY_HANDLERS, SECURITY_ROUTES  # noqa: E402

HANDLERS.update(SECURITY_HANDLERS)
ROUTES.update(SECURITY_ROUTES)

# --- /api/v1: results from other runners, tests as code -------------------------------------------
PATH_VALUES.setdefault("project", lambda c: c.project_id)  # `{project}`: the id (a slug works too)
ROUTES.update({
    # multipart/form-data: the generic driver sends JSON; driven per persona (session cookies and
    # tokens) in tests/runs/test_it_rejects_bad_result_uploads.py instead.
    ("POST", "/api/v1/projects/{project}/results"): R(EDITORS, skip_drive="multipart upload: see "
                                                      "tests/runs/test_it_rejects_bad_result_uploads.py"),
    ("GET", "/api/v1/projects/{project}/tree"): R(MEMBERS),
    # A dry run of an empty folder: a plan (everything "kept"), nothing changes.
    ("POST", "/api/v1/projects/{project}/tree"): R(EDITORS, json={"files": {}, "dry_run": True}),
})

# --- healing review page: see tests/healing/healing_matrix.py
from tests.healing.healing_matrix import HEALING_HANDLERS  # noqa: E402

HANDLERS.update(HEALING_HANDLERS)

# --- /api/v1 catalog routes (projects, suites, tests, environments, import): tests/catalog/catalog_matrix.py
from tests.catalog.catalog_matrix import CATALOG_ROUTES  # noqa: E402

ROUTES.update(CATALOG_ROUTES)

# --- analytics: dashboard states and /api/v1 analytics routes: tests/analytics/analytics_matrix.py
from tests.analytics.analytics_matrix import ANALYTICS_HANDLERS, ANALYTICS_ROUTES  # noqa: E402

HANDLERS.update(ANALYTICS_HANDLERS)
ROUTES.update(ANALYTICS_ROUTES)

# --- ai: AI-draft dry runs in the editor, "Explain this failure", dry-run screenshots: tests/ai/ai_matrix.py
from tests.ai.ai_matrix import AI_HANDLERS, AI_ROUTES  # noqa: E402

HANDLERS.update(AI_HANDLERS)
ROUTES.update(AI_ROUTES)
# --- manual testing: the manual run pages, the manual test editor, attachments: tests/manual/manual_matrix.py
from tests.manual.manual_matrix import MANUAL_HANDLERS, MANUAL_ROUTES  # noqa: E402

HANDLERS.update(MANUAL_HANDLERS)
ROUTES.update(MANUAL_ROUTES)
# --- defects and custom fields: tests/defects/defects_matrix.py
from tests.defects.defects_matrix import DEFECT_HANDLERS, DEFECT_ROUTES  # noqa: E402

HANDLERS.update(DEFECT_HANDLERS)
ROUTES.update(DEFECT_ROUTES)
