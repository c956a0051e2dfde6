"""Helpers for the permission-matrix tests: a template database with the matrix personas,
copied per case; state instances carrying a persona's session cookie; enumeration of handlers
and routes; a fingerprint of the Acme rows a denied call must not change."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import reflex as rx
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import text
from sqlmodel import Session
from starlette.routing import Route

from tests.accounts.permission_matrix import MatrixContext
from tests.factories import add_org_member, add_project_member, make_personas, make_user
from traceiq_app.db import make_engine
from traceiq_app.models import Invitation, OrgRole, ProjectRole, RetentionRule, utcnow
from traceiq_app.services.platform.migrations import upgrade_to_head

SECRET = "matrix-secret-key-" + "z" * 30
INVITED = "nina@acme.test"  # Acme's pending invitation (only Acme's admins may see it)
MARKERS_BY_PERSONA = {
    "owner": "alice@acme.test", "admin": "dave@acme.test", "editor": "bob@acme.test", "viewer": "erin@acme.test",
}


@dataclass
class Template:
    path: Path
    ids: dict[str, str]


def build_template(directory: Path) -> Template:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "template.db"
    url = f"sqlite:///{path}"
    upgrade_to_head(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as s:
        p = make_personas(s)
        dave = make_user(s, "dave@acme.test", display_name="Dave")
        erin = make_user(s, "erin@acme.test", display_name="Erin")
        add_org_member(s, p.acme, dave, OrgRole.admin)
        add_org_member(s, p.acme, erin, OrgRole.member)
        add_project_member(s, p.project, erin, ProjectRole.viewer)
        invitation = Invitation(org_id=p.acme.id, email=INVITED, role=OrgRole.member,
                                invited_by_user_id=p.alice.id, expires_at=utcnow() + timedelta(days=7))
        s.add(invitation)
        s.add(RetentionRule(org_id=p.acme.id, keep_days=365))  # for the retention editor's drivers
        s.commit()
        ids = {"acme": str(p.acme.id), "globex": str(p.globex.id), "project": str(p.project.id),
               "invite": str(invitation.id), "globex_project": str(p.globex_project.id), "owner": str(p.alice.id), "admin": str(dave.id),
               "editor": str(p.bob.id), "viewer": str(erin.id), "other_org": str(p.charlie.id)}
    engine.dispose()
    # The WAL must be folded into the file before it is copied.
    with make_engine(url).connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    return Template(path, ids)


def copy_template(template: Template, target_dir: Path) -> str:
    """A fresh copy of the template database, through SQLite's online backup API (a consistent
    snapshot whatever state the template's WAL and connections are in), not as a plain file."""
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / "traceiq.db"
    with closing(sqlite3.connect(template.path)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return f"sqlite:///{target}"


def context(template: Template) -> MatrixContext:
    from traceiq_app.db import session_scope
    from traceiq_app.models import User
    from traceiq_app.services.accounts import tokens

    ids = {k: uuid.UUID(v) for k, v in template.ids.items()}

    def make_alice_token() -> uuid.UUID:
        with session_scope() as s:
            alice = s.get(User, ids["owner"])
            assert alice is not None
            _raw, row = tokens.create_token(s, user=alice, org_id=ids["acme"], name="alice-ci", scopes=["read"])
            return row.id

    return MatrixContext(
        acme_id=ids["acme"], globex_id=ids["globex"], project_id=ids["project"],
        globex_project_id=ids["globex_project"],
        user_ids={k: ids[k] for k in ("owner", "admin", "editor", "viewer", "other_org")},
        make_alice_token=make_alice_token, invite_id=ids["invite"],
    )


def session_cookie(user_id: uuid.UUID) -> str:
    from traceiq_app.db import session_scope
    from traceiq_app.models import User
    from traceiq_app.services.accounts import web_sessions

    with session_scope() as s:
        user = s.get(User, user_id)
        assert user is not None
        return web_sessions.create_session(s, user, ip="127.0.0.1")


def state_for(cls: type[rx.State], cookie: str | None, path: str = "/", query: dict[str, str] | None = None) -> Any:
    """A state instance as an event from a browser tab would see it: the persona's session
    cookie in the websocket headers, `query` as the page's (route + query) parameters."""
    from reflex.istate.data import RouterData

    root = rx.State(_reflex_internal_init=True)  # type: ignore[call-arg]
    headers = {"cookie": f"tiq_session={cookie}", "host": "testserver"} if cookie else {"host": "testserver"}
    root.router_data = {"headers": headers, "ip": "127.0.0.1", "pathname": path, "asPath": path,
                        "query": dict(query or {})}
    root.router = RouterData.from_router_data(root.router_data)
    return root.get_substate(cls.get_full_name().split("."))


def app_state_classes() -> list[type[rx.State]]:
    import traceiq_app.traceiq_app  # noqa: F401 - registers every page and state

    found: list[type[rx.State]] = []

    def walk(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    for cls in walk(rx.State):
        if cls.__module__.startswith("traceiq_app") and cls not in found:
            found.append(cls)
    return found


def app_handlers() -> dict[str, tuple[type[rx.State], str]]:
    out: dict[str, tuple[type[rx.State], str]] = {}
    for cls in app_state_classes():
        for name in cls.event_handlers:
            key = f"{cls.__name__}.{name}"
            if key in out and out[key][0] is not cls:
                raise AssertionError(f"two states are named {cls.__name__}: give them distinct class names")
            out[key] = (cls, name)
    return out


def _walk_routes(routes: list[Any]) -> Iterator[Route]:
    for route in routes:
        if isinstance(route, Route):
            yield route
        original = getattr(route, "original_router", None)
        if isinstance(original, APIRouter):
            yield from _walk_routes(list(original.routes))


def api_routes(api: FastAPI) -> list[tuple[str, str]]:
    out = []
    for route in _walk_routes(list(api.routes)):
        if not route.path.startswith("/api") and not isinstance(route, APIRoute):
            continue
        for method in sorted(route.methods or []):
            if method != "HEAD":
                out.append((method, route.path))
    return sorted(set(out))


def acme_fingerprint(url: str, acme_id: str) -> str:
    """Everything a denied call must leave alone in Acme."""
    engine = make_engine(url)
    hexid = uuid.UUID(acme_id).hex
    try:
        with engine.connect() as conn:
            rows: dict[str, Any] = {}
            for name, sql in {
                "members": "SELECT user_id, role FROM organization_members WHERE org_id IN (:a, :h) ORDER BY user_id",
                "project_members": "SELECT project_id, user_id, role FROM project_members ORDER BY project_id, user_id",
                "tokens": "SELECT id, revoked_at FROM api_tokens WHERE org_id IN (:a, :h) ORDER BY id",
                "invites": "SELECT id, email, role, accepted_at, revoked_at FROM invitations WHERE org_id IN (:a, :h) "
                           "ORDER BY id",
                "users": "SELECT email, password_hash, is_active FROM users ORDER BY email",
                "orgs": "SELECT id, name, slug FROM organizations ORDER BY id",
                "retention": "SELECT id, project_id, keep_days, keep_last, keep_failed_days FROM retention_rules "
                             "WHERE org_id IN (:a, :h) ORDER BY id",
                # Marked steps / changed outcomes only (a driver may create a fresh run before its call).
                "manual_steps": "SELECT id, status, actual, version FROM manual_step_results WHERE version > 0 "
                                "ORDER BY id",
                "manual_tests": "SELECT id, outcome, override FROM manual_run_tests WHERE version > 0 ORDER BY id",
                "manual_files": "SELECT id FROM manual_attachments ORDER BY id",
                "manual_closes": "SELECT run_id, action FROM manual_run_activity "
                                 "WHERE action IN ('run.closed', 'run.reopened') ORDER BY id",
                "audit": "SELECT action FROM audit_log WHERE (org_id IN (:a, :h)) AND action NOT LIKE 'auth.%' "
                         "ORDER BY id",
                "defects": "SELECT number, title, status, severity, assignee_id, occurrences FROM defects "
                           "ORDER BY project_id, number",
                "defect_events": "SELECT COUNT(*) FROM defect_events",
                "defect_comments": "SELECT COUNT(*) FROM defect_comments",
                "defect_attachments": "SELECT COUNT(*) FROM defect_attachments",
                "custom_fields": "SELECT applies_to, key, label, options, required, position FROM custom_fields "
                                 "ORDER BY applies_to, key",
                "defect_org_filters": "SELECT COUNT(*) FROM defect_org_filters WHERE org_id IN (:a, :h)",
                "test_case_field_values": "SELECT COUNT(*) FROM test_case_field_values",
            }.items():
                rows[name] = [list(map(str, r)) for r in conn.execute(text(sql), {"a": acme_id, "h": hexid}).all()]
    finally:
        engine.dispose()
    return json.dumps(rows, sort_keys=True)


def leaked_markers(state: Any, persona: str) -> list[str]:
    own = MARKERS_BY_PERSONA.get(persona)
    dumped = json.dumps(state.dict(), default=str)
    return [m for m in list(MARKERS_BY_PERSONA.values()) + ["Web shop", INVITED] if m != own and m in dumped]
