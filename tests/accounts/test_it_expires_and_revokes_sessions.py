"""Web sessions: HttpOnly cookie, hashed id at rest, idle timeout, absolute expiry, sign-out,
sign-out everywhere, and the CSRF (Origin) check for cookie-authenticated unsafe requests."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from tests.accounts.conftest import ORIGIN, login, set_password
from traceiq_app.db import session_scope
from traceiq_app.models import WebSession, utcnow


def test_it_sets_an_httponly_cookie_and_stores_only_a_hash(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    r = login(api, "alice@acme.test")
    header = r.headers["set-cookie"]
    assert "tiq_session=" in header and "HttpOnly" in header and "SameSite=lax" in header and "Path=/" in header
    raw = api.cookies.get("tiq_session")
    with session_scope() as s:
        row = s.exec(select(WebSession)).one()
        assert raw not in row.token_hash and len(row.token_hash) == 64
        assert row.ip == "testclient"
    assert api.get("/api/me").json()["auth"] == "session"


def test_it_ends_idle_and_expired_sessions(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    login(api, "alice@acme.test")
    with session_scope() as s:
        row = s.exec(select(WebSession)).one()
        row.last_seen_at = utcnow() - timedelta(minutes=721)
    assert api.get("/api/me").status_code == 401  # idle for longer than 12 h
    with session_scope() as s:
        assert s.exec(select(WebSession)).one().revoked_at is not None

    login(api, "alice@acme.test")
    with session_scope() as s:
        row = s.exec(select(WebSession).where(WebSession.revoked_at.is_(None))).one()  # type: ignore[union-attr]
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert api.get("/api/me").status_code == 401


def test_it_signs_out_here_and_everywhere(api, personas) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from traceiq_app.api.app import create_api

    set_password("alice@acme.test")
    login(api, "alice@acme.test")
    with TestClient(create_api(), base_url=ORIGIN) as laptop:
        login(laptop, "alice@acme.test")
        assert laptop.get("/api/me").status_code == 200
        assert api.post("/api/auth/logout", headers={"Origin": ORIGIN}).status_code == 200
        assert api.get("/api/me").status_code == 401
        assert laptop.get("/api/me").status_code == 200  # only this browser signed out

        login(api, "alice@acme.test")
        r = api.post("/api/auth/logout?everywhere=true", headers={"Origin": ORIGIN})
        assert r.status_code == 200
        assert laptop.get("/api/me").status_code == 401


def test_it_refuses_cross_site_requests_with_the_cookie(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    login(api, "alice@acme.test")
    url = f"/api/orgs/{personas.acme.id}/tokens"
    assert api.post(url, json={"name": "x"}, headers={"Origin": "https://evil.test"}).status_code == 403
    assert api.post(url, json={"name": "x"}, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert api.post(url, json={"name": "x"}).status_code == 403  # no Origin, no Referer: refused
    assert api.post(url, json={"name": "x"}, headers={"Referer": f"{ORIGIN}/settings/tokens"}).status_code == 201
    assert api.post(url, json={"name": "y"}, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 201
    # Safe methods need no Origin; logout from another site does nothing.
    assert api.get(url).status_code == 200
    assert api.post("/api/auth/logout", headers={"Origin": "https://evil.test"}).status_code == 403
    assert api.get("/api/me").status_code == 200


def test_it_refuses_deactivated_users(api, personas) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.models import User

    set_password("bob@acme.test")
    login(api, "bob@acme.test")
    with session_scope() as s:
        s.get(User, personas.bob.id).is_active = False  # type: ignore[union-attr]
    assert api.get("/api/me").status_code == 401
    assert login(api, "bob@acme.test").status_code == 400
