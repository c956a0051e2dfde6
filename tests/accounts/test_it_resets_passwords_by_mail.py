"""Password reset through a real SMTP server (aiosmtpd on loopback): the link works once,
within the hour, signs the user out everywhere and lifts a lockout; unknown emails get the
same answer and no mail."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from email.message import Message

import pytest

from tests.accounts.conftest import ORIGIN, PASSWORD, login, set_password
from tests.support.processes import wait_until
from tests.support.smtp import Inbox, smtp_inbox


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch, with_redis: str) -> Iterator[Inbox]:
    with smtp_inbox(monkeypatch, TRACEIQ_SMTP_FROM="TraceIQ <noreply@traceiq.test>",
                    TRACEIQ_PUBLIC_URL=ORIGIN) as box:
        yield box


def _link(message: Message) -> str:
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    found = re.search(r"http://testserver/reset-password/(\S+)", body)
    assert found, body
    return found.group(1)


def test_it_mails_a_single_use_reset_link(api, personas, inbox: Inbox) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    assert login(api, "alice@acme.test").status_code == 200  # a session that must end
    assert api.get("/api/me").status_code == 200

    r = api.post("/api/auth/password-reset", json={"email": "Alice@Acme.test"})
    assert r.status_code == 202
    wait_until(lambda: inbox.messages, 10, what="the reset mail")
    mail = inbox.messages[0]
    assert mail["To"] == "alice@acme.test" and "Reset your TraceIQ password" in mail["Subject"]
    assert mail["From"] == "TraceIQ <noreply@traceiq.test>"
    token = _link(mail)

    weak = api.post("/api/auth/password-reset/confirm", json={"token": token, "password": "short"})
    assert weak.status_code == 400 and "at least 10" in weak.json()["detail"]
    ok = api.post("/api/auth/password-reset/confirm", json={"token": token, "password": "a brand new passphrase"})
    assert ok.status_code == 200

    assert api.get("/api/me").status_code == 401  # signed out everywhere
    again = api.post("/api/auth/password-reset/confirm", json={"token": token, "password": "another new passphrase"})
    assert again.status_code == 400 and "already used" in again.json()["detail"]
    assert login(api, "alice@acme.test", PASSWORD).status_code == 400
    assert login(api, "alice@acme.test", "a brand new passphrase").status_code == 200


def test_it_answers_the_same_for_unknown_emails(api, personas, inbox: Inbox) -> None:  # type: ignore[no-untyped-def]
    r = api.post("/api/auth/password-reset", json={"email": "nobody@acme.test"})
    assert r.status_code == 202
    assert r.json() == api.post("/api/auth/password-reset", json={"email": "bob@acme.test"}).json()
    wait_until(lambda: inbox.messages, 10, what="bob's mail")
    time.sleep(0.5)
    assert [m["To"] for m in inbox.messages] == ["bob@acme.test"]


def test_it_rejects_tampered_and_expired_links(api, personas, inbox: Inbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.services.accounts import signin

    api.post("/api/auth/password-reset", json={"email": "bob@acme.test"})
    wait_until(lambda: inbox.messages, 10, what="the reset mail")
    token = _link(inbox.messages[0])
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    r = api.post("/api/auth/password-reset/confirm", json={"token": tampered, "password": "a brand new passphrase"})
    assert r.status_code == 400 and "not valid" in r.json()["detail"]
    monkeypatch.setattr(time, "time", lambda: 10**10)
    r = api.post("/api/auth/password-reset/confirm", json={"token": token, "password": "a brand new passphrase"})
    assert r.status_code == 400 and "expired" in r.json()["detail"]
    assert signin.RESET_TTL_SECONDS == 3600


def test_it_lifts_a_lockout(api, personas, inbox: Inbox) -> None:  # type: ignore[no-untyped-def]
    set_password("bob@acme.test")
    for _ in range(5):
        login(api, "bob@acme.test", "wrong password!")
    assert login(api, "bob@acme.test").status_code == 429
    api.post("/api/auth/password-reset", json={"email": "bob@acme.test"})
    wait_until(lambda: inbox.messages, 10, what="the reset mail")
    api.post("/api/auth/password-reset/confirm", json={"token": _link(inbox.messages[0]), "password": "fresh passphrase"})
    assert login(api, "bob@acme.test", "fresh passphrase").status_code == 200
