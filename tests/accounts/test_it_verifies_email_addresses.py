"""E-mail verification through a real SMTP server (aiosmtpd on loopback): sign-up mails a link
that verifies the address (once, within 48 hours, untampered); unverified users can sign in but
cannot be invited into another organization; changing the address needs the password, mails the
new address (and a notice to the old one) and happens only when the link is opened."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from email.message import Message

import pytest
from sqlmodel import select

from tests.accounts.conftest import ORIGIN, PASSWORD, login, set_password
from tests.support.processes import wait_until
from tests.support.smtp import Inbox, smtp_inbox
from traceiq_app.db import session_scope
from traceiq_app.models import AuditLog, User
from traceiq_app.services.accounts import members, verification
from traceiq_app.services.accounts.users import AccountError, signup
from traceiq_app.services.platform.permissions import Principal


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch, with_redis: str) -> Iterator[Inbox]:
    with smtp_inbox(monkeypatch, TRACEIQ_PUBLIC_URL=ORIGIN, TRACEIQ_ALLOW_SIGNUP="true") as box:
        yield box


def _token(message: Message) -> str:
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    found = re.search(r"http://testserver/verify-email/(\S+)", body)
    assert found, body
    return found.group(1)


def _user(email: str) -> User:
    with session_scope() as s:
        user = s.exec(select(User).where(User.email == email)).one()
        s.expunge(user)
        return user


def _signup_and_mail(inbox: Inbox, email: str = "dana@initech.test") -> tuple[User, str]:
    from traceiq_app.state.accounts.account import _mail_verification

    user, _org = signup(email, PASSWORD, "Initech")
    _mail_verification(user.id, None)  # what the sign-up page does next
    wait_until(lambda: inbox.to(email), 10, what="the verification mail")
    return user, _token(inbox.to(email)[0])


def test_sign_up_mails_a_link_that_verifies_the_address(api, personas, inbox: Inbox) -> None:  # type: ignore[no-untyped-def]
    user, token = _signup_and_mail(inbox)
    assert not verification.is_verified(user.id) and not _user("dana@initech.test").is_verified
    assert "Confirm your e-mail address" in inbox.to("dana@initech.test")[0]["Subject"]
    # Unverified users can sign in and work.
    assert login(api, "dana@initech.test").status_code == 200

    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    with pytest.raises(AccountError, match="not valid"):
        verification.verify_email(tampered)
    assert verification.verify_email(token) == "dana@initech.test"
    assert verification.is_verified(user.id)
    assert verification.verify_email(token) == "dana@initech.test"  # opening it again is harmless
    with session_scope() as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "auth.email_verified")).first() is not None


def test_expired_links_say_so(api, personas, inbox: Inbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _user_row, token = _signup_and_mail(inbox)
    monkeypatch.setattr(time, "time", lambda: 10**10)
    with pytest.raises(AccountError, match="expired"):
        verification.verify_email(token)


def test_unverified_users_cannot_be_invited_into_other_orgs(api, personas, inbox: Inbox) -> None:  # type: ignore[no-untyped-def]
    alice = Principal(user_id=personas.alice.id, email="alice@acme.test")
    user, token = _signup_and_mail(inbox)
    with pytest.raises(AccountError, match="has not verified their e-mail address"):
        members.create_invite(alice, personas.acme.id, "dana@initech.test", "member")
    # An invitation sent before the account existed cannot be accepted by it either, until verified.
    link, _mailed = members.create_invite(alice, personas.acme.id, "erin@initech.test", "member")
    invite_token = link.rsplit("/", 1)[1]
    erin, _org = signup("erin@initech.test", PASSWORD, "Initech Two")
    erin_principal = Principal(user_id=erin.id, email=erin.email)
    with pytest.raises(AccountError, match="has not verified"):
        members.accept_invite(invite_token, principal=erin_principal)

    verification.verify_email(token)
    link, _mailed = members.create_invite(alice, personas.acme.id, "dana@initech.test", "member")
    members.accept_invite(link.rsplit("/", 1)[1], principal=Principal(user_id=user.id, email=user.email))


def test_an_invitation_link_verifies_a_new_account(api, personas, inbox: Inbox) -> None:  # type: ignore[no-untyped-def]
    alice = Principal(user_id=personas.alice.id, email="alice@acme.test")
    link, _mailed = members.create_invite(alice, personas.acme.id, "frank@acme.test", "member")
    members.accept_invite(link.rsplit("/", 1)[1], password=PASSWORD)
    assert _user("frank@acme.test").is_verified


def test_changing_the_address_needs_the_password_and_the_new_inbox(api, personas, inbox: Inbox) -> None:  # type: ignore[no-untyped-def]
    set_password("bob@acme.test")
    assert login(api, "bob@acme.test").status_code == 200

    def change(password: str, email: str):  # type: ignore[no-untyped-def]
        return api.post("/api/auth/email-form", data={"password": password, "email": email},
                        headers={"Origin": ORIGIN}, follow_redirects=False)

    assert change("wrong password!", "robert@acme.test").headers["location"].endswith("error=wrong_password")
    assert change(PASSWORD, "alice@acme.test").headers["location"].endswith("error=email_taken")
    assert change(PASSWORD, "not an address").headers["location"].endswith("error=bad_email")
    ok = change(PASSWORD, "Robert@Acme.test")
    assert ok.status_code == 303 and ok.headers["location"].endswith("notice=email_change_sent")
    wait_until(lambda: inbox.to("robert@acme.test") and inbox.to("bob@acme.test"), 10, what="both mails")
    assert "robert@acme.test" in inbox.to("bob@acme.test")[0].get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert _user("bob@acme.test").email == "bob@acme.test"  # nothing changes before the link is opened

    token = _token(inbox.to("robert@acme.test")[0])
    assert verification.verify_email(token) == "robert@acme.test"
    robert = _user("robert@acme.test")
    assert robert.id == personas.bob.id and robert.is_verified
    assert login(api, "robert@acme.test").status_code == 200
    with session_scope() as s:
        changed = s.exec(select(AuditLog).where(AuditLog.action == "auth.email_changed")).first()
        assert changed is not None and changed.details == {"from": "bob@acme.test", "to": "robert@acme.test"}

    # The link belonged to the old address: it does not work again after a later change.
    with pytest.raises(AccountError, match="no longer valid"):
        verification.verify_email(token)


def test_resending_is_limited(api, personas, inbox: Inbox) -> None:  # type: ignore[no-untyped-def]
    user, _token_value = _signup_and_mail(inbox)
    for _ in range(4):
        assert verification.send_verification(user.id) is True
    with pytest.raises(verification.RateLimited):
        verification.send_verification(user.id)
    with pytest.raises(AccountError, match="already verified"):
        verification.send_verification(personas.alice.id)


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.xdist_group("app")
def test_the_link_opens_in_the_browser(live, chromium) -> None:  # type: ignore[no-untyped-def]
    import uuid

    from tests.factories import make_user

    email = f"gina-{uuid.uuid4().hex[:8]}@initech.test"
    with session_scope() as s:
        user = make_user(s, email, verified=False)
        token = verification.make_token(user, email)
    page = chromium.new_page()
    try:
        page.goto(live.url + "/verify-email/" + token[:-2] + "xx")
        page.get_by_text("this verification link is not valid").wait_for(timeout=60_000)
        page.goto(live.url + "/verify-email/" + token)
        page.get_by_text("Confirmed:").wait_for(timeout=60_000)
        page.get_by_text(email).wait_for()
        assert _user(email).is_verified
    finally:
        page.close()
