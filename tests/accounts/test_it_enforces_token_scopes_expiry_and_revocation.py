"""API tokens: shown once, hashed at rest, scopes/project/org limits, expiry, revocation,
last_used_at, and tokens can never manage tokens or members."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from tests.accounts.conftest import ORIGIN, login, set_password
from traceiq_app.db import session_scope
from traceiq_app.models import ApiToken, utcnow
from traceiq_app.services.accounts import tokens
from traceiq_app.services.platform.permissions import PermissionDenied, authorize


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_it_authenticates_with_a_token_and_records_last_use(api, personas) -> None:  # type: ignore[no-untyped-def]
    raw = tokens.create_token_for_email("alice@acme.test", "ci", ["read", "run"])
    r = api.get("/api/me", headers=_bearer(raw))
    assert r.status_code == 200
    assert r.json()["auth"] == "token" and r.json()["scopes"] == ["read", "run"]
    with session_scope() as s:
        row = s.exec(select(ApiToken)).one()
        assert row.last_used_at is not None
        assert raw not in row.token_hash and raw.startswith(row.prefix + "_")


def test_it_rejects_wrong_expired_and_revoked_tokens(api, personas) -> None:  # type: ignore[no-untyped-def]
    raw = tokens.create_token_for_email("alice@acme.test", "ci", ["read"])
    assert api.get("/api/me", headers=_bearer(raw[:-2] + "xx")).status_code == 401
    assert api.get("/api/me", headers=_bearer("tiq_nothere_abc")).status_code == 401
    assert api.get("/api/me", headers={"Authorization": "Basic abc"}).status_code == 401

    with session_scope() as s:
        row = s.exec(select(ApiToken)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert api.get("/api/me", headers=_bearer(raw)).status_code == 401

    raw2 = tokens.create_token_for_email("alice@acme.test", "ci2", ["read"], expires_days=1)
    assert api.get("/api/me", headers=_bearer(raw2)).status_code == 200
    set_password("alice@acme.test")
    login(api, "alice@acme.test")
    listed = api.get(f"/api/orgs/{personas.acme.id}/tokens").json()["tokens"]
    token_id = next(t["id"] for t in listed if t["name"] == "ci2")
    assert api.delete(f"/api/orgs/{personas.acme.id}/tokens/{token_id}", headers={"Origin": ORIGIN}).status_code == 200
    assert api.get("/api/me", headers=_bearer(raw2)).status_code == 401


def test_it_narrows_rights_to_scopes_project_and_org(personas) -> None:  # type: ignore[no-untyped-def]
    read_only = tokens.verify_token(tokens.create_token_for_email("alice@acme.test", "r", ["read"]))
    runner = tokens.verify_token(tokens.create_token_for_email("alice@acme.test", "x", ["read", "run"]))
    admin = tokens.verify_token(tokens.create_token_for_email("alice@acme.test", "a", ["admin"]))
    bob_admin = tokens.verify_token(tokens.create_token_for_email("bob@acme.test", "b", ["admin"]))
    assert read_only and runner and admin and bob_admin
    pid = personas.project.id

    authorize(read_only, "run.read", project_id=pid)
    for action in ("run.start", "test.write", "env.write"):
        try:
            authorize(read_only, action, project_id=pid)
            raise AssertionError(f"{action} allowed with a read token")
        except PermissionDenied as exc:
            assert "lacks the" in exc.message
    authorize(runner, "run.start", project_id=pid)
    authorize(admin, "project.delete", project_id=pid)  # alice owns the project
    authorize(admin, "audit.read", org_id=personas.acme.id)
    # A token never exceeds its user's rights: bob is an editor.
    authorize(bob_admin, "run.start", project_id=pid)
    for action, kwargs in (("project.update", {"project_id": pid}), ("audit.read", {"org_id": personas.acme.id})):
        try:
            authorize(bob_admin, action, **kwargs)  # type: ignore[arg-type]
            raise AssertionError(action)
        except PermissionDenied:
            pass
    # Tokens can never manage tokens or members (org or project), whatever the scope.
    for action, kwargs in (("token.manage", {"org_id": personas.acme.id}), ("member.manage", {"org_id": personas.acme.id}),
                           ("member.invite", {"org_id": personas.acme.id}),
                           ("project.members.manage", {"project_id": pid})):
        try:
            authorize(admin, action, **kwargs)  # type: ignore[arg-type]
            raise AssertionError(action)
        except PermissionDenied as exc:
            assert "API tokens cannot" in exc.message
    # Other orgs: not found.
    try:
        authorize(admin, "project.read", project_id=personas.globex_project.id)
        raise AssertionError("cross-org")
    except PermissionDenied as exc:
        assert exc.status == 404


def test_it_limits_a_project_token_to_its_project(personas) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_project

    with session_scope() as s:
        other = make_project(s, personas.acme, "Blog")
        other_id = other.id
    p = tokens.verify_token(tokens.create_token_for_email("alice@acme.test", "p", ["admin"], project_slug="web-shop"))
    assert p is not None
    authorize(p, "run.start", project_id=personas.project.id)
    for kwargs in ({"project_id": other_id}, {"org_id": personas.acme.id}):
        try:
            authorize(p, "project.read" if "project_id" in kwargs else "org.read", **kwargs)  # type: ignore[arg-type]
            raise AssertionError(kwargs)
        except PermissionDenied as exc:
            assert "not valid for this" in exc.message


def test_it_refuses_token_management_with_a_token(api, personas) -> None:  # type: ignore[no-untyped-def]
    raw = tokens.create_token_for_email("alice@acme.test", "a", ["admin"])
    r = api.post(f"/api/orgs/{personas.acme.id}/tokens", json={"name": "more", "scopes": ["admin"]},
                 headers=_bearer(raw))
    assert r.status_code == 403


def test_it_shows_a_created_token_once(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("bob@acme.test")
    login(api, "bob@acme.test")
    created = api.post(f"/api/orgs/{personas.acme.id}/tokens", json={"name": "laptop", "scopes": ["read"]},
                       headers={"Origin": ORIGIN})
    assert created.status_code == 201 and created.json()["token"].startswith("tiq_")
    listed = api.get(f"/api/orgs/{personas.acme.id}/tokens").json()["tokens"]
    assert [t["name"] for t in listed] == ["laptop"]
    assert "token" not in listed[0] and listed[0]["prefix"] in created.json()["token"]
    # CSRF: the same request from another site is refused.
    evil = api.post(f"/api/orgs/{personas.acme.id}/tokens", json={"name": "x"}, headers={"Origin": "https://evil.test"})
    assert evil.status_code == 403


def _membership_rows() -> str:
    """Org and project memberships, invitations, accounts and non-sign-in audit entries."""
    from sqlalchemy import text

    with session_scope() as s:
        return repr([s.execute(text(sql)).all() for sql in (
            "SELECT org_id, user_id, role FROM organization_members ORDER BY org_id, user_id",
            "SELECT project_id, user_id, role FROM project_members ORDER BY project_id, user_id",
            "SELECT id, email, role, accepted_at, revoked_at FROM invitations ORDER BY id",
            "SELECT email, is_active FROM users ORDER BY email",
            "SELECT action FROM audit_log WHERE action NOT LIKE 'auth.%' ORDER BY id",
        )])


def test_it_refuses_member_management_with_an_admin_token(api, personas) -> None:  # type: ignore[no-untyped-def]
    """alice owns Acme and its project, yet her admin-scoped tokens (org-wide or limited to the
    project) cannot change org or project roles, remove members, or see/send/revoke invitations."""
    from traceiq_app.services.accounts import members
    from traceiq_app.services.platform.permissions import Principal

    acme, pid, bob = personas.acme.id, personas.project.id, personas.bob.id
    alice = Principal(user_id=personas.alice.id, email="alice@acme.test")
    members.create_invite(alice, acme, "zoe@acme.test")
    invite_id = members.list_invites(alice, acme)[0]["id"]
    org_token = tokens.create_token_for_email("alice@acme.test", "ci-admin", ["admin"])
    project_token = tokens.create_token_for_email("alice@acme.test", "ci-proj", ["admin"], project_slug="web-shop")
    before = _membership_rows()

    attempts = [
        (org_token, "PUT", f"/api/projects/{pid}/members/{bob}", {"role": "viewer"}),
        (org_token, "PUT", f"/api/projects/{pid}/members/{bob}", {"role": None}),  # remove bob's project role
        (org_token, "PUT", f"/api/projects/{pid}/members/{personas.charlie.id}", {"role": "owner"}),
        (project_token, "PUT", f"/api/projects/{pid}/members/{bob}", {"role": "admin"}),
        (org_token, "PATCH", f"/api/orgs/{acme}/members/{bob}", {"role": "admin"}),
        (org_token, "DELETE", f"/api/orgs/{acme}/members/{bob}", None),
        (org_token, "POST", f"/api/orgs/{acme}/invites", {"email": "mallory@evil.test", "role": "owner"}),
        (org_token, "GET", f"/api/orgs/{acme}/invites", None),
        (org_token, "DELETE", f"/api/orgs/{acme}/invites/{invite_id}", None),
    ]
    for raw, method, path, body in attempts:
        r = api.request(method, path, json=body, headers=_bearer(raw))
        assert r.status_code == 403, f"{method} {path}: {r.status_code} {r.text}"
        assert "API tokens cannot" in r.json()["detail"], f"{method} {path}: {r.text}"
        assert "zoe@acme.test" not in r.text
    assert _membership_rows() == before

    # Reading members stays allowed, and the same changes work for alice signed in.
    assert api.get(f"/api/projects/{pid}/members", headers=_bearer(org_token)).status_code == 200
    assert api.get(f"/api/orgs/{acme}/members", headers=_bearer(org_token)).status_code == 200
    set_password("alice@acme.test")
    login(api, "alice@acme.test")
    r = api.put(f"/api/projects/{pid}/members/{bob}", json={"role": "viewer"}, headers={"Origin": ORIGIN})
    assert r.status_code == 200, r.text
    assert _membership_rows() != before
