"""OIDC single sign-on through the real redirect dance: the app (create_api() under uvicorn on
loopback) and a local provider (tests/accounts/oidc_provider.py), with httpx following every
redirect like a browser."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
from sqlmodel import select

from tests.accounts.oidc_provider import OidcProvider
from tests.support.processes import free_port, wait_until
from traceiq_app.db import session_scope
from traceiq_app.models import OrganizationMember, User
from traceiq_app.settings import reset_settings_cache


@dataclass
class Stack:
    app_url: str
    provider: OidcProvider

    def browser(self) -> httpx.Client:
        return httpx.Client(base_url=self.app_url, follow_redirects=True, timeout=30)


@pytest.fixture
def stack(personas, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:  # type: ignore[no-untyped-def]
    from traceiq_app.api.app import create_api

    provider = OidcProvider().start()
    port = free_port()
    app_url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("TRACEIQ_PUBLIC_URL", app_url)
    monkeypatch.setenv("TRACEIQ_OIDC_ISSUER", provider.issuer)
    monkeypatch.setenv("TRACEIQ_OIDC_CLIENT_ID", provider.client_id)
    monkeypatch.setenv("TRACEIQ_OIDC_CLIENT_SECRET", provider.client_secret)
    reset_settings_cache()
    from traceiq_app.services.accounts import oidc

    oidc._discovery_cache.clear()
    server = uvicorn.Server(uvicorn.Config(create_api(), host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, 30, what="uvicorn")
    yield Stack(app_url, provider)
    server.should_exit = True
    thread.join(10)
    provider.stop()


def _error(response: httpx.Response) -> str:
    """The message /login shows for the redirect's error code (only known codes have one)."""
    from traceiq_app.services.accounts.page_errors import login_error_message

    query = parse_qs(urlsplit(str(response.url)).query)
    return login_error_message(query.get("error", [""])[0])


def test_it_signs_in_an_existing_user_by_verified_email(stack: Stack) -> None:
    with stack.browser() as browser:
        final = browser.get("/api/auth/oidc/login", params={"next": "/api/me"})
        assert final.status_code == 200, final.text
        assert final.json()["user"]["email"] == "alice@acme.test"
        hops = [str(r.url) for r in final.history]
        assert any(h.startswith(stack.provider.issuer + "/authorize") for h in hops)
        assert any("/api/auth/oidc/callback?code=" in h for h in hops)
    with session_scope() as s:
        alice = s.exec(select(User).where(User.email == "alice@acme.test")).one()
        assert (alice.oidc_issuer, alice.oidc_subject) == (stack.provider.issuer, "u-1")
    # Next time the (issuer, subject) pair matches, even if the provider's email changed.
    stack.provider.user = {"sub": "u-1", "email": "alice.new@acme.test", "email_verified": True}
    with stack.browser() as browser:
        assert browser.get("/api/auth/oidc/login", params={"next": "/api/me"}).json()["user"]["email"] == "alice@acme.test"


def test_it_refuses_unverified_emails(stack: Stack) -> None:
    stack.provider.user = {"sub": "u-2", "email": "bob@acme.test", "email_verified": False}
    with stack.browser() as browser:
        final = browser.get("/api/auth/oidc/login", params={"next": "/api/me"})
        assert "no verified e-mail" in _error(final)
        assert browser.get("/api/me").status_code == 401


def test_it_creates_accounts_only_when_allowed(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    stack.provider.user = {"sub": "u-3", "email": "newbie@acme.test", "email_verified": True, "name": "New Bie"}
    with stack.browser() as browser:
        assert "ask an admin" in _error(browser.get("/api/auth/oidc/login"))
    monkeypatch.setenv("TRACEIQ_OIDC_ALLOW_SIGNUP", "true")
    monkeypatch.setenv("TRACEIQ_OIDC_DEFAULT_ORG", "Acme")
    reset_settings_cache()
    with stack.browser() as browser:
        me = browser.get("/api/auth/oidc/login", params={"next": "/api/me"}).json()
    assert me["user"]["email"] == "newbie@acme.test"
    assert [(o["name"], o["role"]) for o in me["orgs"]] == [("Acme", "member")]
    with session_scope() as s:
        user = s.exec(select(User).where(User.email == "newbie@acme.test")).one()
        assert user.password_hash is None
        assert s.exec(select(OrganizationMember).where(OrganizationMember.user_id == user.id)).one().role == "member"


def test_it_rejects_forged_state_and_tokens(stack: Stack) -> None:
    with stack.browser() as browser:
        # A callback this browser never started (no state cookie / wrong state).
        r = browser.get("/api/auth/oidc/callback", params={"code": "x", "state": "y"})
        assert "try again" in _error(r)
        login = browser.get("/api/auth/oidc/login", follow_redirects=False)
        authorize = httpx.get(login.headers["location"], follow_redirects=False)
        callback = urlsplit(authorize.headers["location"])
        params = {k: v[0] for k, v in parse_qs(callback.query).items()}
        r = browser.get("/api/auth/oidc/callback", params={**params, "state": "forged"})
        assert "state mismatch" in _error(r)
    stack.provider.sign_with_rogue_key = True
    with stack.browser() as browser:
        r = browser.get("/api/auth/oidc/login", params={"next": "/api/me"})
        assert "ID token is not valid" in _error(r)
        assert browser.get("/api/me").status_code == 401


def test_it_expires_the_login_state(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    with stack.browser() as browser:
        login = browser.get("/api/auth/oidc/login", follow_redirects=False)
        authorize = httpx.get(login.headers["location"], follow_redirects=False)
        real_time = time.time
        monkeypatch.setattr(time, "time", lambda: real_time() + 3600)
        r = browser.get(authorize.headers["location"])
        assert "took too long" in _error(r)
