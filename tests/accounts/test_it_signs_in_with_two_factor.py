"""TOTP two-factor sign-in: enrolment with a locally rendered QR code, a code after the password,
one-time codes and recovery codes, wrong codes toward the lockout, disabling with password +
code, audit entries; and the whole flow in a real browser (enrol on /settings/security, sign out,
sign in with a code)."""

from __future__ import annotations

import re
import time
import uuid

import pyotp
import pytest
from sqlmodel import select

from tests.accounts.conftest import ORIGIN, PASSWORD, login, set_password
from traceiq_app.db import session_scope
from traceiq_app.models import AuditLog, RecoveryCode, User
from traceiq_app.services.accounts import two_factor
from traceiq_app.services.accounts.users import AccountError


def _user(email: str) -> User:
    with session_scope() as s:
        user = s.exec(select(User).where(User.email == email)).one()
        s.expunge(user)
        return user


def _enrol(email: str) -> tuple[pyotp.TOTP, list[str]]:
    user = _user(email)
    enrolment = two_factor.start_enrolment(user.id)
    totp = pyotp.TOTP(enrolment.secret)
    # The code of the previous 30-second step: the next code (now) stays unused for sign-in.
    return totp, two_factor.confirm_enrolment(user.id, totp.at(time.time() - 30))


PROJECTS_PAGE = re.compile(r"^http://[^/]+/projects/?$")  # not /login?next=/projects


def _actions(org_id: uuid.UUID) -> list[str]:
    with session_scope() as s:
        return [a.action for a in s.exec(select(AuditLog).where(AuditLog.org_id == org_id)).all()]


def _second_step(api, code: str):  # type: ignore[no-untyped-def]
    return api.post("/api/auth/two-factor", json={"code": code}, headers={"Origin": ORIGIN})


def test_it_enrols_with_a_local_qr_code_and_stores_only_hashes(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    alice = personas.alice
    enrolment = two_factor.start_enrolment(alice.id)
    assert enrolment.uri.startswith("otpauth://totp/TraceIQ:alice%40acme.test?secret=")
    assert enrolment.qr_svg.startswith("data:image/svg+xml")  # drawn here, no outside service
    with pytest.raises(AccountError, match="not valid"):
        two_factor.confirm_enrolment(alice.id, "000000" if pyotp.TOTP(enrolment.secret).now() != "000000" else "111111")
    assert not _user("alice@acme.test").two_factor_enabled

    codes = two_factor.confirm_enrolment(alice.id, pyotp.TOTP(enrolment.secret).now())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{4}){3}", c) for c in codes)
    stored = _user("alice@acme.test")
    assert stored.two_factor_enabled and enrolment.secret not in (stored.totp_secret or "")
    with session_scope() as s:
        hashes = [r.code_hash for r in s.exec(select(RecoveryCode).where(RecoveryCode.user_id == alice.id)).all()]
    assert len(hashes) == 10 and not set(codes) & set(hashes)
    assert two_factor.hash_recovery_code(codes[0]) in hashes
    assert "auth.2fa_enabled" in _actions(personas.acme.id)
    with pytest.raises(AccountError, match="already on"):
        two_factor.start_enrolment(alice.id)


def test_it_asks_for_the_code_after_the_password(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    totp, _codes = _enrol("alice@acme.test")

    first = login(api, "alice@acme.test")
    assert first.status_code == 200 and first.json() == {"two_factor_required": True}
    assert api.get("/api/me").status_code == 401  # the password alone gives no session

    wrong = _second_step(api, "12345x")
    assert wrong.status_code == 400 and "not valid" in wrong.json()["detail"]
    ok = _second_step(api, totp.now())
    assert ok.status_code == 200 and ok.json()["user"]["email"] == "alice@acme.test"
    assert api.get("/api/me").status_code == 200
    assert "tiq_2fa" not in api.cookies  # the pending step is over

    # The same code does not sign in twice.
    api.post("/api/auth/logout", headers={"Origin": ORIGIN})
    assert login(api, "alice@acme.test").json() == {"two_factor_required": True}
    assert _second_step(api, totp.now()).status_code == 400
    actions = _actions(personas.acme.id)
    assert actions.count("auth.2fa_failed") == 2
    assert {"second_factor": "totp", "method": "password"} in [
        a.details for a in _audit_rows(personas.acme.id, "auth.login")]


def _audit_rows(org_id: uuid.UUID, action: str) -> list[AuditLog]:
    with session_scope() as s:
        rows = list(s.exec(select(AuditLog).where(AuditLog.org_id == org_id, AuditLog.action == action)).all())
        for r in rows:
            s.expunge(r)
        return rows


def test_a_recovery_code_works_once(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("bob@acme.test")
    _totp, codes = _enrol("bob@acme.test")
    assert login(api, "bob@acme.test").json() == {"two_factor_required": True}
    assert _second_step(api, codes[3].upper().replace("-", " ")).status_code == 200  # typed loosely
    api.post("/api/auth/logout", headers={"Origin": ORIGIN})
    login(api, "bob@acme.test")
    assert _second_step(api, codes[3]).status_code == 400
    assert _audit_rows(personas.acme.id, "auth.2fa_recovery_used")[0].details == {"left": 9}


def test_the_second_step_needs_the_password_step(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    totp, _ = _enrol("alice@acme.test")
    r = _second_step(api, totp.now())
    assert r.status_code == 400 and "password first" in r.json()["detail"]
    api.cookies.set("tiq_2fa", "forged.token", domain="testserver", path="/api/auth/")
    assert _second_step(api, totp.now()).status_code == 400
    assert api.get("/api/me").status_code == 401


def test_wrong_codes_count_toward_the_lockout(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    totp, _ = _enrol("alice@acme.test")
    # A right password does not clear earlier failures while the code is missing.
    for _ in range(2):
        assert login(api, "alice@acme.test", "wrong password!").status_code == 400
    assert login(api, "alice@acme.test").json() == {"two_factor_required": True}
    assert _second_step(api, "000001").status_code == 400
    assert login(api, "alice@acme.test").json() == {"two_factor_required": True}
    assert _second_step(api, "000002").status_code == 400
    locked = _second_step(api, "000003")
    assert locked.status_code == 429 and "locked" in locked.json()["detail"]
    assert _second_step(api, totp.now()).status_code == 429  # even the right code, while locked
    assert "auth.lockout" in _actions(personas.acme.id)


def test_it_disables_with_password_and_code(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    totp, codes = _enrol("alice@acme.test")
    alice = personas.alice
    with pytest.raises(AccountError, match="password is wrong"):
        two_factor.disable(alice.id, "not my password", totp.now())
    with pytest.raises(AccountError, match="not valid"):
        two_factor.disable(alice.id, PASSWORD, "999999" if totp.now() != "999999" else "999998")
    two_factor.disable(alice.id, PASSWORD, codes[0])
    assert not _user("alice@acme.test").two_factor_enabled
    assert "auth.2fa_disabled" in _actions(personas.acme.id)
    # Signing in is one step again.
    assert login(api, "alice@acme.test").json()["user"]["email"] == "alice@acme.test"


def test_sign_on_only_users_follow_their_provider(api, personas) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as s:
        bob = s.get(User, personas.bob.id)
        assert bob is not None
        bob.password_hash = None
    with pytest.raises(AccountError, match="sign-on provider"):
        two_factor.start_enrolment(personas.bob.id)
    assert two_factor.status(personas.bob.id).exempt


# --- the real app in Chromium ---------------------------------------------------------------------


def _wait_for_next(page) -> None:  # type: ignore[no-untyped-def]
    """The sign-in pages fill their hidden `next` field on load: wait for it before submitting."""
    page.wait_for_function("document.querySelector('input[name=next]')?.value.startsWith('/projects')",
                           timeout=60_000)


def _sign_in_form(page, url: str, email: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "/login?next=/projects")
    _wait_for_next(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")


def _sign_out(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "/logout")
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url("**/login**notice=signed_out", timeout=60_000)


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.xdist_group("app")
def test_it_enrols_and_signs_in_with_a_code_in_the_browser(live, chromium) -> None:  # type: ignore[no-untyped-def]
    from tests.accounts.conftest import seed_live_cast
    from traceiq_app.services.accounts.passwords import hash_password

    cast = seed_live_cast(password_hash=hash_password(PASSWORD))
    context = chromium.new_context()
    page = context.new_page()
    try:
        _sign_in_form(page, live.url, cast.alice)
        page.wait_for_url(PROJECTS_PAGE, timeout=60_000)
        page.goto(live.url + "/settings/security")
        page.get_by_role("button", name="Set up two-factor sign-in").click()
        secret = page.locator("#totp-secret").inner_text(timeout=60_000).strip()
        qr = page.locator("#totp-qr").get_attribute("src") or ""
        assert qr.startswith("data:image/svg+xml")
        totp = pyotp.TOTP(secret)
        page.locator("#totp-code").fill("000000" if totp.now() != "000000" else "111111")
        page.locator("#totp-code").press("Enter")
        page.get_by_text("that code is not valid").first.wait_for(timeout=60_000)
        page.locator("#totp-code").fill(totp.now())
        page.locator("#totp-code").press("Enter")
        codes = page.locator("#recovery-codes").inner_text(timeout=60_000).split()
        assert len(codes) == 10 and all(len(c) == 19 for c in codes)
        page.get_by_role("button", name="I saved them").click()
        page.get_by_text("Two-factor sign-in is on.").first.wait_for(timeout=60_000)
        _sign_out(page, live.url)

        # Password, then the code on a second page; a wrong code says so and keeps you there.
        _sign_in_form(page, live.url, cast.alice)
        page.wait_for_url("**/login/two-factor**", timeout=60_000)
        _wait_for_next(page)
        assert not any(c["name"] == "tiq_session" for c in context.cookies())
        page.get_by_label("Code").fill("12345x")
        page.get_by_label("Code").press("Enter")
        page.get_by_text("That code is not valid").first.wait_for(timeout=60_000)
        page.get_by_label("Code").fill(totp.at(time.time() + 30))  # the set-up used up this step's code
        page.get_by_label("Code").press("Enter")
        page.wait_for_url(PROJECTS_PAGE, timeout=60_000)
        assert any(c["name"] == "tiq_session" for c in context.cookies())
        _sign_out(page, live.url)

        # A recovery code works once.
        _sign_in_form(page, live.url, cast.alice)
        page.wait_for_url("**/login/two-factor**", timeout=60_000)
        _wait_for_next(page)
        page.get_by_label("Code").fill(codes[0])
        page.get_by_label("Code").press("Enter")
        page.wait_for_url(PROJECTS_PAGE, timeout=60_000)
        _sign_out(page, live.url)
        _sign_in_form(page, live.url, cast.alice)
        page.wait_for_url("**/login/two-factor**", timeout=60_000)
        _wait_for_next(page)
        page.get_by_label("Code").fill(codes[0])
        page.get_by_label("Code").press("Enter")
        page.get_by_text("That code is not valid").first.wait_for(timeout=60_000)
    finally:
        context.close()


def test_an_admin_resets_it_from_the_command_line(api, personas, acct_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys
    from pathlib import Path

    from tests.accounts.conftest import cli_env

    set_password("alice@acme.test")
    _enrol("alice@acme.test")
    traceiq = str(Path(sys.executable).parent / "traceiq")
    env = cli_env(tmp_path, acct_db)
    done = subprocess.run([traceiq, "admin", "reset-two-factor", "--email", "Alice@acme.test"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "two-factor sign-in of alice@acme.test is off" in done.stdout
    assert not _user("alice@acme.test").two_factor_enabled
    assert login(api, "alice@acme.test").json()["user"]["email"] == "alice@acme.test"
    assert "auth.2fa_reset_by_admin" in _actions(personas.acme.id)
    again = subprocess.run([traceiq, "admin", "reset-two-factor", "--email", "alice@acme.test"], env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "does not use two-factor sign-in" in again.stderr
