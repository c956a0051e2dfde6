"""TRACEIQ_SIGNUP decides who may sign up (open / first-user-only / invite-only), and the home
page never offers "Create account" when sign-up would refuse it; a signed-in visitor of `/`
lands on their projects."""

from __future__ import annotations

import pytest

from tests.accounts.matrix_support import state_for
from tests.accounts.test_it_runs_the_account_pages import _redirect_target
from traceiq_app.db import session_scope
from traceiq_app.models import User
from traceiq_app.services.accounts import web_sessions
from traceiq_app.settings import reset_settings_cache
from traceiq_app.state.accounts.account import HomeState, SignupState

FORM = {"email": "someone@new.test", "display_name": "", "org_name": "New", "password": "long enough pass",
        "password_confirm": "long enough pass"}


def _policy(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TRACEIQ_SIGNUP", value)
    reset_settings_cache()


def _home() -> HomeState:
    home = state_for(HomeState, None, "/")
    assert home.on_load() is None
    return home


def test_it_offers_sign_up_only_to_the_first_user_by_default(acct_db: str) -> None:
    assert _home().signup_open is True
    assert "/login?notice=signed_up" in _redirect_target(state_for(SignupState, None, "/signup").submit(FORM))
    assert _home().signup_open is False  # no dead-end "Create account" once a user exists
    closed = state_for(SignupState, None, "/signup")
    closed.on_load()
    assert closed.open is False


def test_it_keeps_sign_up_open_when_the_policy_is_open(acct_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _policy(monkeypatch, "open")
    state_for(SignupState, None, "/signup").submit(FORM)
    assert _home().signup_open is True
    second = state_for(SignupState, None, "/signup")
    assert "/login?notice=signed_up" in _redirect_target(second.submit({**FORM, "email": "other@new.test", "org_name": "Other"}))


def test_it_refuses_every_sign_up_when_invite_only(acct_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _policy(monkeypatch, "invite-only")
    assert _home().signup_open is False
    refused = state_for(SignupState, None, "/signup")
    refused.submit(FORM)
    assert "sign-up is closed" in refused.error


def test_it_refuses_an_unknown_policy_with_a_clear_error(acct_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from traceiq_app.settings import get_settings

    _policy(monkeypatch, "sometimes")
    with pytest.raises(ValidationError, match="TRACEIQ_SIGNUP"):
        get_settings()
    _policy(monkeypatch, "open")  # the fixture's teardown reads the settings again


def test_it_sends_a_signed_in_visitor_of_the_home_page_to_their_projects(personas) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as s:
        alice = s.get(User, personas.alice.id)
        assert alice is not None
        cookie = web_sessions.create_session(s, alice)
    home = state_for(HomeState, cookie, "/")
    assert _redirect_target(home.on_load()).strip('"') == "/projects"
    assert home.signed_in is True
