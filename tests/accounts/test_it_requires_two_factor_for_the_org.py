"""An organization can require two-factor sign-in: only owners switch it on (and only once they
use it themselves); members without it can then do nothing but set it up (API routes, API
tokens, Reflex events and pages), sign-on-only users are exempt, and the change is audited.
The browser half: a member who signs in lands on the set-up page and cannot leave it."""

from __future__ import annotations

import asyncio
import contextvars
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest
from sqlmodel import select

from tests.accounts.conftest import ORIGIN, PASSWORD, login, set_password
from traceiq_app.db import session_scope
from traceiq_app.models import AuditLog, Organization, User
from traceiq_app.services.accounts import org_security, tokens, two_factor
from traceiq_app.services.platform.permissions import PermissionDenied, Principal


def _principal(user: User) -> Principal:
    return Principal(user_id=user.id, email=user.email)


def _enrol(user_id: uuid.UUID) -> pyotp.TOTP:
    enrolment = two_factor.start_enrolment(user_id)
    totp = pyotp.TOTP(enrolment.secret)
    two_factor.confirm_enrolment(user_id, totp.at(time.time() - 30))
    return totp


def _require(org_id: uuid.UUID) -> None:
    with session_scope() as s:
        org = s.get(Organization, org_id)
        assert org is not None
        org.require_two_factor = True
    two_factor.forget_cached_answers()  # (as the service does when an owner changes it)


def test_only_owners_who_use_it_can_require_it(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    alice, bob, acme = personas.alice, personas.bob, personas.acme
    with pytest.raises(org_security.FieldError, match="your own account first") as refused:
        org_security.update_org_security(_principal(alice), acme.id, require_two_factor=True)
    assert refused.value.field == "require_two_factor"
    with pytest.raises(PermissionDenied):
        org_security.update_org_security(_principal(bob), acme.id, require_two_factor=True)

    _enrol(alice.id)
    assert not two_factor.enrolment_required(bob.id)  # remembered for a few seconds...
    found = org_security.update_org_security(_principal(alice), acme.id, require_two_factor=True)
    assert found.require_two_factor
    with session_scope() as s:
        entry = s.exec(select(AuditLog).where(AuditLog.org_id == acme.id,
                                              AuditLog.action == "org.security_update")).one()
        assert entry.details == {"require_two_factor": True} and entry.actor_label == "alice@acme.test"
    assert not two_factor.enrolment_required(alice.id)
    assert two_factor.enrolment_required(bob.id)  # ...but the change applies at once
    assert not two_factor.enrolment_required(personas.charlie.id)  # Globex does not require it


def test_members_without_it_can_only_set_it_up(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("bob@acme.test")
    bob = personas.bob
    raw, _info = tokens.create_token_as(_principal(bob), personas.acme.id, name="ci", scopes=["read"],
                                        project_id=None, expires_days=None)
    _require(personas.acme.id)

    assert login(api, "bob@acme.test").status_code == 200  # signing in still works...
    me = api.get("/api/me")
    assert me.status_code == 403 and "requires two-factor" in me.json()["detail"]  # ...nothing else does
    assert api.get(f"/api/orgs/{personas.acme.id}/members").status_code == 403
    assert api.get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 403

    # The login form sends them to the set-up page instead of `next`.
    api.post("/api/auth/logout", headers={"Origin": ORIGIN})
    form = api.post("/api/auth/login-form", data={"email": "bob@acme.test", "password": PASSWORD, "next": "/projects"},
                    headers={"Origin": ORIGIN}, follow_redirects=False)
    assert form.status_code == 303 and form.headers["location"] == "/settings/security?notice=two_factor_required"

    totp = _enrol(bob.id)
    assert api.get("/api/me").status_code == 200
    assert api.get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    # From now on bob signs in with a code too.
    api.post("/api/auth/logout", headers={"Origin": ORIGIN})
    assert login(api, "bob@acme.test").json() == {"two_factor_required": True}
    assert api.post("/api/auth/two-factor", json={"code": totp.now()}, headers={"Origin": ORIGIN}).status_code == 200


def test_sign_on_only_members_are_exempt(api, personas) -> None:  # type: ignore[no-untyped-def]
    _require(personas.acme.id)
    with session_scope() as s:
        bob = s.get(User, personas.bob.id)
        assert bob is not None
        bob.password_hash, bob.oidc_issuer, bob.oidc_subject = None, "https://idp.test", "bob"
    assert not two_factor.enrolment_required(personas.bob.id)


def test_the_guard_drops_other_events_until_set_up(personas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """AuthGuard (the Reflex middleware): a member who still has to set it up gets a redirect to
    the set-up page for every protected event but the set-up page's own."""
    from tests.accounts import matrix_support as ms
    from traceiq_app.services.accounts import web_sessions
    from traceiq_app.state.accounts import auth
    from traceiq_app.state.accounts.security import SecurityState
    from traceiq_app.state.accounts.settings import TokensState

    _require(personas.acme.id)
    with session_scope() as s:
        bob = s.get(User, personas.bob.id)
        assert bob is not None
        cookie = web_sessions.create_session(s, bob)
    guard = auth.AuthGuard()

    def outcome(cls: type, handler: str) -> object:
        state = ms.state_for(cls, cookie)
        event = type("E", (), {"name": f"{cls.get_full_name()}.{handler}"})()  # type: ignore[attr-defined]
        # In a thread of its own (a session-wide sync Playwright may run a loop in this one), with
        # this thread's context variables (Reflex's registration context).
        context = contextvars.copy_context()
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(context.run, asyncio.run, guard.preprocess(None, state, event)).result()

    dropped = outcome(TokensState, "load_tokens")
    assert dropped is not None and "two_factor_required" in str(dropped)
    assert outcome(SecurityState, "load") is None
    with session_scope() as s:
        org = s.get(Organization, personas.acme.id)
        assert org is not None
        org.require_two_factor = False
    two_factor.forget_cached_answers()
    assert outcome(TokensState, "load_tokens") is None


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.xdist_group("app")
def test_a_member_is_sent_to_set_it_up_in_the_browser(live, chromium) -> None:  # type: ignore[no-untyped-def]
    from tests.accounts.conftest import seed_live_cast
    from traceiq_app.services.accounts.passwords import hash_password

    cast = seed_live_cast(password_hash=hash_password(PASSWORD))
    _require(cast.acme_id)
    context = chromium.new_context()
    page = context.new_page()
    try:
        page.goto(live.url + "/login?next=/projects")
        # the page fills its hidden `next` field on load: wait for it before submitting
        page.wait_for_function("document.querySelector('input[name=next]')?.value.startsWith('/projects')",
                               timeout=60_000)
        page.get_by_label("Email").fill(cast.bob)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Password").press("Enter")
        page.wait_for_url("**/settings/security**notice=two_factor_required", timeout=60_000)
        page.get_by_text("Required by: Acme").first.wait_for(timeout=60_000)
        page.goto(live.url + "/projects")  # any other page sends them back
        page.wait_for_url("**/settings/security**notice=two_factor_required", timeout=60_000)

        page.get_by_role("button", name="Set up two-factor sign-in").click()
        secret = page.locator("#totp-secret").inner_text(timeout=60_000).strip()
        page.locator("#totp-code").fill(pyotp.TOTP(secret).now())
        page.locator("#totp-code").press("Enter")
        page.locator("#recovery-codes").wait_for(timeout=60_000)
        page.get_by_role("button", name="I saved them").click()
        page.goto(live.url + "/projects")
        page.get_by_text(f"Web shop {cast.suffix}").first.wait_for(timeout=60_000)
        assert "/projects" in page.url
    finally:
        context.close()
