"""The real app in Chromium: sign in with the keyboard (HttpOnly cookie from the plain form),
create a token (shown once), revoke it, see both in the audit log, sign out. Failed sign-ins
lock the account across the app's two web processes (counters in Redis)."""

from __future__ import annotations

import httpx
import pytest

from tests.accounts.conftest import PASSWORD, seed_live_cast

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("app")]


def _hash(password: str) -> str:
    from traceiq_app.services.accounts.passwords import hash_password

    return hash_password(password)


def test_it_signs_in_creates_and_revokes_a_token_and_signs_out(live, chromium) -> None:  # type: ignore[no-untyped-def]
    cast = seed_live_cast(password_hash=_hash(PASSWORD))
    context = chromium.new_context()
    page = context.new_page()
    try:
        page.goto(live.url + "/settings/tokens")
        page.wait_for_url("**/login**next=%2Fsettings%2Ftokens", timeout=60_000)  # signed out: to the sign-in page
        page.get_by_label("Email").fill(cast.alice)
        page.get_by_label("Password").fill("wrong password!!")
        page.get_by_label("Password").press("Enter")
        page.get_by_text("wrong email or password").first.wait_for(timeout=60_000)

        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Password").press("Enter")
        page.wait_for_url("**/settings/tokens**", timeout=60_000)
        cookie = next(c for c in context.cookies() if c["name"] == "tiq_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        assert page.evaluate("document.cookie").find("tiq_session") == -1

        page.get_by_label("Name").fill("ci pipeline")
        page.get_by_label("Name").press("Enter")
        token = page.locator("#new-token").inner_text(timeout=60_000)
        assert token.startswith("tiq_")
        me = httpx.get(live.url + "/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert me.status_code == 200 and me.json()["user"]["email"] == cast.alice

        page.get_by_role("button", name="Revoke").click()
        page.get_by_text("Token revoked.").first.wait_for(timeout=60_000)
        assert httpx.get(live.url + "/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code == 401

        page.goto(live.url + "/settings/audit")
        page.get_by_text("token.revoke").first.wait_for(timeout=60_000)
        page.get_by_text("auth.login_failed").first.wait_for()

        page.goto(live.url + "/logout")
        page.get_by_role("button", name="Sign out", exact=True).click()
        page.wait_for_url("**/login**notice=signed_out", timeout=60_000)
        page.goto(live.url + "/settings/members")
        page.wait_for_url("**/login**next=%2Fsettings%2Fmembers", timeout=60_000)
    finally:
        context.close()


def test_it_locks_out_across_web_processes(live) -> None:  # type: ignore[no-untyped-def]
    cast = seed_live_cast(password_hash=_hash(PASSWORD))
    statuses = []
    for _ in range(6):
        # A new connection each time: the app runs two Granian workers; any may answer.
        r = httpx.post(live.url + "/api/auth/login", json={"email": cast.bob, "password": "not the password"},
                       headers={"Origin": live.url}, timeout=30)
        statuses.append(r.status_code)
    assert statuses == [400, 400, 400, 400, 429, 429]
    right = httpx.post(live.url + "/api/auth/login", json={"email": cast.bob, "password": PASSWORD},
                       headers={"Origin": live.url}, timeout=30)
    assert right.status_code == 429 and "locked" in right.json()["detail"]
