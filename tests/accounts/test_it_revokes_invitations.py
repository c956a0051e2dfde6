"""Pending invitations: org owners/admins list them (email, role, who invited, expiry) and revoke
one; its link then says it was revoked, on the invite page too; `invite.revoke` is audited.
Members and other orgs can neither list nor revoke (services, the Members page state, the API)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from tests.accounts.conftest import ORIGIN, login, set_password
from tests.accounts.matrix_support import state_for
from traceiq_app.db import session_scope
from traceiq_app.models import AuditLog, Invitation, User, utcnow
from traceiq_app.services.accounts import members
from traceiq_app.services.accounts.users import AccountError
from traceiq_app.services.platform.permissions import PermissionDenied, Principal
from traceiq_app.state.accounts.account import InviteState
from traceiq_app.state.accounts.settings import MembersState


def _p(user) -> Principal:  # type: ignore[no-untyped-def]
    return Principal(user_id=user.id, email=user.email)


def _token(link: str) -> str:
    return link.rsplit("/invite/", 1)[1]


def test_it_lists_pending_invitations_and_revokes_one(personas) -> None:  # type: ignore[no-untyped-def]
    alice, acme = _p(personas.alice), personas.acme.id
    link_zoe, _ = members.create_invite(alice, acme, "zoe@acme.test", "admin")
    link_nina, _ = members.create_invite(alice, acme, "nina@acme.test", "member")

    pending = members.list_invites(alice, acme)
    assert [(i["email"], i["role"], i["invited_by"]) for i in pending] == [
        ("nina@acme.test", "member", "alice@acme.test"), ("zoe@acme.test", "admin", "alice@acme.test")]
    expires = datetime.fromisoformat(pending[0]["expires_at"])
    assert timedelta(days=6, hours=23) < expires - utcnow() <= timedelta(days=7)

    members.revoke_invite(alice, acme, pending[1]["id"])  # zoe's
    assert [i["email"] for i in members.list_invites(alice, acme)] == ["nina@acme.test"]
    for call in (members.peek_invite, lambda t: members.accept_invite(t, password="zoe's long password")):
        with pytest.raises(AccountError, match="revoked by an admin of Acme"):
            call(_token(link_zoe))
    with pytest.raises(AccountError, match="already revoked"):
        members.revoke_invite(alice, acme, pending[1]["id"])
    with session_scope() as s:
        entry = s.exec(select(AuditLog).where(AuditLog.action == "invite.revoke")).one()
        assert (entry.org_id, entry.actor_label, entry.object_type, entry.object_id, entry.details) == (
            acme, "alice@acme.test", "invite", pending[1]["id"], {"email": "zoe@acme.test", "role": "admin"})
        assert s.exec(select(User).where(User.email == "zoe@acme.test")).first() is None  # no account made
    # The other link still works, once; then it is no longer pending and cannot be revoked.
    assert members.accept_invite(_token(link_nina), password="nina's long password") == ("nina@acme.test", "Acme")
    assert members.list_invites(alice, acme) == []
    with pytest.raises(AccountError, match="already accepted"):
        members.revoke_invite(alice, acme, pending[0]["id"])
    with pytest.raises(AccountError, match="already used"):
        members.peek_invite(_token(link_nina))


def test_it_supersedes_a_pending_invitation_to_the_same_email(personas) -> None:  # type: ignore[no-untyped-def]
    """Inviting someone again revokes their pending invitation in that org: one working link,
    one listed row. Other emails and other orgs' invitations to the same person are untouched."""
    alice, charlie, acme = _p(personas.alice), _p(personas.charlie), personas.acme.id
    old_link, _ = members.create_invite(alice, acme, "zoe@acme.test", "member")
    nina_link, _ = members.create_invite(alice, acme, "nina@acme.test", "member")
    globex_link, _ = members.create_invite(charlie, personas.globex.id, "zoe@acme.test", "member")
    old_id = next(i["id"] for i in members.list_invites(alice, acme) if i["email"] == "zoe@acme.test")

    new_link, _ = members.create_invite(alice, acme, "Zoe@Acme.test", "admin")  # same email, other case

    pending = members.list_invites(alice, acme)
    assert sorted((i["email"], i["role"]) for i in pending) == [("nina@acme.test", "member"), ("zoe@acme.test", "admin")]
    new_id = next(i["id"] for i in pending if i["email"] == "zoe@acme.test")
    assert new_id != old_id
    with session_scope() as s:
        old = s.get(Invitation, uuid.UUID(old_id))
        assert old is not None and old.revoked_at is not None and old.accepted_at is None
        entry = s.exec(select(AuditLog).where(AuditLog.action == "invite.revoke")).one()
        assert (entry.object_id, entry.actor_label, entry.details) == (
            old_id, "alice@acme.test", {"email": "zoe@acme.test", "role": "member", "superseded_by": new_id})
    for call in (members.peek_invite, lambda t: members.accept_invite(t, password="zoe's long password")):
        with pytest.raises(AccountError, match="replaced by a newer one"):
            call(_token(old_link))
    with pytest.raises(AccountError, match="already revoked"):
        members.revoke_invite(alice, acme, old_id)
    # Another org's invitation to zoe and Acme's invitation to nina still work.
    assert members.peek_invite(_token(globex_link))["org_name"] == "Globex"
    assert members.peek_invite(_token(nina_link))["email"] == "nina@acme.test"
    # The newest link works, with the newest role.
    assert members.peek_invite(_token(new_link))["role"] == "admin"
    assert members.accept_invite(_token(new_link), password="zoe's long password") == ("zoe@acme.test", "Acme")
    assert [m["role"] for m in members.list_members(alice, acme) if m["email"] == "zoe@acme.test"] == ["admin"]
    assert [i["email"] for i in members.list_invites(alice, acme)] == ["nina@acme.test"]
    # A manual revocation still says so (it was not superseded).
    members.revoke_invite(alice, acme, next(i["id"] for i in members.list_invites(alice, acme)))
    with pytest.raises(AccountError, match="revoked by an admin of Acme"):
        members.peek_invite(_token(nina_link))


def test_it_keeps_invitations_to_org_admins(personas) -> None:  # type: ignore[no-untyped-def]
    alice, bob, charlie, acme = _p(personas.alice), _p(personas.bob), _p(personas.charlie), personas.acme.id
    link, _ = members.create_invite(alice, acme, "zoe@acme.test")
    invite_id = members.list_invites(alice, acme)[0]["id"]
    for who, status in ((bob, 403), (charlie, 404)):
        for call in (lambda p: members.list_invites(p, acme), lambda p: members.revoke_invite(p, acme, invite_id)):
            with pytest.raises(PermissionDenied) as info:
                call(who)
            assert info.value.status == status
    # Charlie's own org cannot reach Acme's invitation by its id either.
    with pytest.raises(PermissionDenied) as info:
        members.revoke_invite(charlie, personas.globex.id, invite_id)
    assert info.value.status == 404
    assert members.peek_invite(_token(link))["email"] == "zoe@acme.test"  # still valid


def test_it_drops_expired_invitations_from_the_list(personas) -> None:  # type: ignore[no-untyped-def]
    alice, acme = _p(personas.alice), personas.acme.id
    link, _ = members.create_invite(alice, acme, "zoe@acme.test")
    with session_scope() as s:
        row = s.exec(select(Invitation)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert members.list_invites(alice, acme) == []
    with pytest.raises(AccountError, match="expired"):
        members.peek_invite(_token(link))


def test_it_revokes_from_the_members_page_and_the_link_page_says_so(personas) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.services.accounts import web_sessions

    alice, acme = _p(personas.alice), personas.acme.id
    link, _ = members.create_invite(alice, acme, "zoe@acme.test", "member")
    with session_scope() as s:
        alice_cookie = web_sessions.create_session(s, s.get(User, personas.alice.id))  # type: ignore[arg-type]
        bob_cookie = web_sessions.create_session(s, s.get(User, personas.bob.id))  # type: ignore[arg-type]

    bobs = state_for(MembersState, bob_cookie, "/settings/members")
    bobs.load_members()
    assert bobs.members and bobs.invites == [] and not bobs.can_manage  # members don't see invitations
    invite_id = members.list_invites(alice, acme)[0]["id"]
    bobs.revoke_invite(invite_id)  # a crafted call: refused
    assert [i["id"] for i in members.list_invites(alice, acme)] == [invite_id]

    page = state_for(MembersState, alice_cookie, "/settings/members")
    page.load_members()
    assert [(i["email"], i["role"], i["invited_by"]) for i in page.invites] == [
        ("zoe@acme.test", "member", "alice@acme.test")]
    assert page.invites[0]["expires_at"].endswith("UTC")
    page.revoke_invite(page.invites[0]["id"])
    assert members.list_invites(alice, acme) == []

    accept_page = state_for(InviteState, None, "/invite/[invite_token]", {"invite_token": _token(link)})
    accept_page.load_invite()
    assert not accept_page.valid and "revoked" in accept_page.error


def test_it_lists_and_revokes_over_the_api(api, personas) -> None:  # type: ignore[no-untyped-def]
    acme = personas.acme.id
    set_password("alice@acme.test")
    set_password("bob@acme.test")
    h = {"Origin": ORIGIN}
    login(api, "bob@acme.test")
    assert api.get(f"/api/orgs/{acme}/invites").status_code == 403
    login(api, "alice@acme.test")
    link = api.post(f"/api/orgs/{acme}/invites", json={"email": "zoe@acme.test"}, headers=h).json()["link"]
    listed = api.get(f"/api/orgs/{acme}/invites").json()["invites"]
    assert [i["email"] for i in listed] == ["zoe@acme.test"]
    login(api, "bob@acme.test")
    assert api.delete(f"/api/orgs/{acme}/invites/{listed[0]['id']}", headers=h).status_code == 403
    login(api, "alice@acme.test")
    assert api.delete(f"/api/orgs/{acme}/invites/{listed[0]['id']}", headers=h).status_code == 200
    again = api.delete(f"/api/orgs/{acme}/invites/{listed[0]['id']}", headers=h)
    assert again.status_code == 400 and "already revoked" in again.text
    assert api.get(f"/api/orgs/{acme}/invites").json()["invites"] == []
    with pytest.raises(AccountError, match="revoked"):
        members.peek_invite(_token(link))


def test_it_refuses_links_without_an_invitation_row(personas) -> None:  # type: ignore[no-untyped-def]
    """A correctly signed link of the old format (no invitation row behind it) could not be
    revoked, so it no longer works."""
    import time

    from traceiq_app.services.accounts import signing

    legacy = signing.sign("invite", {"org": str(personas.acme.id), "email": "zoe@acme.test", "role": "owner",
                                     "by": str(personas.alice.id), "iat": int(time.time())}, 3600)
    with pytest.raises(AccountError, match="no longer valid"):
        members.accept_invite(legacy, password="zoe's long password")
    with session_scope() as s:
        assert s.exec(select(User).where(User.email == "zoe@acme.test")).first() is None
