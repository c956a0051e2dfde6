"""Audit entries for each account action (who, what, which object, from where), the filtered
query behind /settings/audit, and GET /api/audit for org owners/admins only."""

from __future__ import annotations

from tests.accounts.conftest import ORIGIN, login, set_password
from traceiq_app.db import session_scope
from traceiq_app.services.platform import audit


def _entries(org_id, **filters):  # type: ignore[no-untyped-def]
    with session_scope() as s:
        return [(e.action, e.actor_label, e.object_type) for e in audit.query(s, org_id, **filters)]


def test_it_records_each_action_with_its_actor(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    set_password("bob@acme.test")
    login(api, "bob@acme.test", "wrong password!")
    login(api, "alice@acme.test")
    acme = personas.acme.id
    h = {"Origin": ORIGIN}
    token = api.post(f"/api/orgs/{acme}/tokens", json={"name": "ci", "scopes": ["read"]}, headers=h).json()
    api.delete(f"/api/orgs/{acme}/tokens/{token['id']}", headers=h)
    api.post(f"/api/orgs/{acme}/invites", json={"email": "zoe@acme.test", "role": "member"}, headers=h)
    api.patch(f"/api/orgs/{acme}/members/{personas.bob.id}", json={"role": "admin"}, headers=h)
    api.put(f"/api/projects/{personas.project.id}/members/{personas.bob.id}", json={"role": "viewer"}, headers=h)
    api.delete(f"/api/orgs/{acme}/members/{personas.bob.id}", headers=h)
    api.post("/api/auth/logout", headers=h)

    actions = [a for a, _, _ in _entries(acme)]
    for expected in ("auth.login_failed", "auth.login", "token.create", "token.revoke", "member.invite",
                     "member.role_change", "project.member_role", "member.remove", "auth.logout"):
        assert expected in actions, f"{expected} not audited: {actions}"
    by_alice = _entries(acme, actor="alice@")
    assert ("token.revoke", "alice@acme.test", "api_token") in by_alice
    assert _entries(acme, action="token.") == [("token.revoke", "alice@acme.test", "api_token"),
                                               ("token.create", "alice@acme.test", "api_token")]
    # Nothing about Acme in Globex's log; no secrets in details.
    assert all(a.startswith("user.") for a, _, _ in _entries(personas.globex.id)) or _entries(personas.globex.id) == []
    with session_scope() as s:
        assert token["token"] not in str([e.details for e in audit.query(s, acme, limit=500)])


def test_it_serves_the_log_to_org_admins_only(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    set_password("bob@acme.test")
    set_password("charlie@globex.test")
    login(api, "bob@acme.test")
    assert api.get("/api/audit", params={"org_id": str(personas.acme.id)}).status_code == 403
    login(api, "charlie@globex.test")
    assert api.get("/api/audit", params={"org_id": str(personas.acme.id)}).status_code == 404
    login(api, "alice@acme.test")
    r = api.get("/api/audit", params={"org_id": str(personas.acme.id), "action": "auth.login", "limit": 5})
    assert r.status_code == 200
    entries = r.json()["entries"]
    assert entries and {e["action"] for e in entries} == {"auth.login"}
    assert entries[0]["actor"] == "alice@acme.test" and entries[0]["ip"] == "testclient"
