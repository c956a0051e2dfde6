"""The Reflex handlers behind /signup, /reset-password/[reset_token], /invite/[invite_token] and
/settings/members, called as the pages call them (plain pytest state instances)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlmodel import select

from tests.accounts.matrix_support import state_for
from traceiq_app.db import session_scope
from traceiq_app.models import OrganizationMember, User
from traceiq_app.services.accounts import members, passwords, signin, tokens, web_sessions
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.state.accounts.account import InviteState, PasswordResetState, SignupState
from traceiq_app.state.accounts.settings import MembersState, TokensState


def _redirect_target(result) -> str:  # type: ignore[no-untyped-def]
    events = result if isinstance(result, list) else [result]
    for event in events:
        path = getattr(event, "args", None)
        if path:
            for _name, value in path:
                text = str(value)
                if "/" in text:
                    return text
    return ""


def test_it_signs_up_the_first_user_then_closes(acct_db: str) -> None:
    state = state_for(SignupState, None, "/signup")
    state.on_load()
    assert state.open is True
    form = {"email": "first@acme.test", "display_name": "First", "org_name": "Acme",
            "password": "long enough pass", "password_confirm": "long enough pass"}
    assert "/login?notice=signed_up" in _redirect_target(state.submit(form))
    with session_scope() as s:
        user = s.exec(select(User).where(User.email == "first@acme.test")).one()
        assert s.exec(select(OrganizationMember.role).where(OrganizationMember.user_id == user.id)).one() == "owner"
    again = state_for(SignupState, None, "/signup")
    again.on_load()
    assert again.open is False
    again.submit({**form, "email": "second@acme.test"})
    assert "sign-up is closed" in again.error
    mismatch = state_for(SignupState, None, "/signup")
    mismatch.submit({**form, "password_confirm": "something else"})
    assert mismatch.error == "the two passwords differ"


def test_it_resets_a_password_from_the_link_page(personas) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as s:
        token = signin.make_reset_token(s.get(User, personas.bob.id))  # type: ignore[arg-type]
    state = state_for(PasswordResetState, None, "/reset-password/[reset_token]", {"reset_token": token})
    state.load_reset()
    assert state.link_ok and state.reset_email == "bob@acme.test"
    result = state.submit_reset({"password": "bob's new password", "password_confirm": "bob's new password"})
    assert "/login?notice=password_reset" in _redirect_target(result)
    with session_scope() as s:
        assert passwords.verify_password(s.get(User, personas.bob.id).password_hash, "bob's new password")  # type: ignore[union-attr]
    used = state_for(PasswordResetState, None, "/reset-password/[reset_token]", {"reset_token": token})
    used.load_reset()
    assert not used.link_ok and "already used" in used.error


def test_it_accepts_an_invitation_from_the_invite_page(personas) -> None:  # type: ignore[no-untyped-def]
    alice = Principal(user_id=personas.alice.id, email="alice@acme.test")
    link, _ = members.create_invite(alice, personas.acme.id, "nina@acme.test", "member")
    token = link.rsplit("/", 1)[1]
    state = state_for(InviteState, None, "/invite/[invite_token]", {"invite_token": token})
    state.load_invite()
    assert state.valid and state.invite_org == "Acme" and state.invite_email == "nina@acme.test"
    assert not state.account_exists
    result = state.accept({"display_name": "Nina", "password": "nina's password!", "password_confirm": "nina's password!"})
    assert "/login?notice=invite_accepted" in _redirect_target(result)
    bogus = state_for(InviteState, None, "/invite/[invite_token]", {"invite_token": token[:-4] + "abcd"})
    bogus.load_invite()
    assert not bogus.valid and "not valid" in bogus.error


def test_it_shows_the_last_sign_in_readably_on_the_members_page(personas) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as s:
        alice = s.get(User, personas.alice.id)
        assert alice is not None
        alice.last_login_at = datetime(2026, 11, 21, 11, 40, 59, 123456, tzinfo=UTC)
        cookie = web_sessions.create_session(s, alice)
    page = state_for(MembersState, cookie, "/settings/members")
    page.load_members()
    shown = {m["email"]: m["last_login_at"] for m in page.members}
    # create_session does not sign in through the login form: alice keeps the stamp set above.
    assert shown == {"alice@acme.test": "2026-11-21 11:40 UTC", "bob@acme.test": "never"}
    # The API keeps the exact ISO timestamp.
    raw = {m["email"]: m["last_login_at"] for m in members.list_members(
        Principal(user_id=personas.alice.id, email="alice@acme.test"), personas.acme.id)}
    assert raw["alice@acme.test"] == "2026-11-21T11:40:59.123456+00:00" and raw["bob@acme.test"] == ""


def test_it_shows_token_expiry_and_last_use_readably(personas) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as s:
        alice = s.get(User, personas.alice.id)
        assert alice is not None
        _raw, used = tokens.create_token(s, user=alice, org_id=personas.acme.id, name="ci", scopes=["read"])
        used.expires_at = datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)
        used.last_used_at = datetime(2026, 11, 21, 11, 40, 59, tzinfo=UTC)
        tokens.create_token(s, user=alice, org_id=personas.acme.id, name="unused", scopes=["read"])
        cookie = web_sessions.create_session(s, alice)
    page = state_for(TokensState, cookie, "/settings/tokens")
    page.load_tokens()
    shown = {t["name"]: (t["expires_at"], t["last_used_at"]) for t in page.tokens}
    assert shown == {"ci": ("2027-01-02 03:04 UTC", "2026-11-21 11:40 UTC"), "unused": ("never", "never")}


def test_it_formats_moments_in_utc() -> None:
    from traceiq_app.state.accounts.settings import utc_minute

    berlin = datetime(2026, 11, 21, 12, 40, tzinfo=timezone(timedelta(hours=1)))
    assert utc_minute(berlin.isoformat()) == "2026-11-21 11:40 UTC"
    assert utc_minute("2026-11-21T11:40:00") == "2026-11-21 11:40 UTC"  # naive: already UTC
    assert utc_minute("", "never") == "never"
