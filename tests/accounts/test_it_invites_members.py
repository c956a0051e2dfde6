"""Invitations: owners/admins invite by link (and mail); the link creates the account or joins
an existing one; members cannot invite; a removed member's old link no longer works."""

from __future__ import annotations

from tests.accounts.conftest import ORIGIN, login, set_password
from traceiq_app.services.accounts import members
from traceiq_app.services.accounts.users import AccountError
from traceiq_app.services.platform.permissions import Principal


def _token(link: str) -> str:
    return link.rsplit("/invite/", 1)[1]


def test_it_invites_by_link_and_creates_the_account(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    login(api, "alice@acme.test")
    r = api.post(f"/api/orgs/{personas.acme.id}/invites", json={"email": "Zoe@Acme.test", "role": "admin"},
                 headers={"Origin": ORIGIN})
    assert r.status_code == 201 and r.json()["mailed"] is False
    token = _token(r.json()["link"])
    info = members.peek_invite(token)
    assert info == {"org_name": "Acme", "email": "zoe@acme.test", "role": "admin", "account_exists": False}
    try:
        members.accept_invite(token, password="short")
        raise AssertionError("weak password accepted")
    except AccountError as exc:
        assert "at least 10" in str(exc)
    assert members.accept_invite(token, password="zoe's long password") == ("zoe@acme.test", "Acme")
    assert login(api, "zoe@acme.test", "zoe's long password").json()["orgs"][0]["role"] == "admin"


def test_it_lets_only_admins_invite(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("bob@acme.test")
    login(api, "bob@acme.test")
    r = api.post(f"/api/orgs/{personas.acme.id}/invites", json={"email": "x@acme.test"}, headers={"Origin": ORIGIN})
    assert r.status_code == 403


def test_it_joins_an_existing_account_only_when_signed_in_as_it(personas) -> None:  # type: ignore[no-untyped-def]
    charlie = Principal(user_id=personas.charlie.id, email="charlie@globex.test")
    alice = Principal(user_id=personas.alice.id, email="alice@acme.test")
    link, _ = members.create_invite(alice, personas.acme.id, "charlie@globex.test")
    token = _token(link)
    for who in (None, alice):
        try:
            members.accept_invite(token, principal=who)
            raise AssertionError("joined without being charlie")
        except AccountError as exc:
            assert "sign in as charlie@globex.test" in str(exc)
    assert members.accept_invite(token, principal=charlie) == ("charlie@globex.test", "Acme")
    # Removed later: the old link is dead.
    members.remove_member(alice, personas.acme.id, personas.charlie.id)
    try:
        members.accept_invite(token, principal=charlie)
        raise AssertionError("old invitation reused")
    except AccountError as exc:
        assert "no longer valid" in str(exc)


def test_it_keeps_one_owner(personas) -> None:  # type: ignore[no-untyped-def]
    alice = Principal(user_id=personas.alice.id, email="alice@acme.test")
    try:
        members.set_org_role(alice, personas.acme.id, personas.alice.id, "member")
        raise AssertionError("last owner demoted")
    except AccountError as exc:
        assert "at least one owner" in str(exc)
