"""Brute-force protection: N failures lock the account (for everybody, on every web process:
the counters are in Redis), the message says so, the lockout is audited; per-IP limits too."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.accounts.conftest import ORIGIN, PASSWORD, login, set_password
from traceiq_app.db import session_scope
from traceiq_app.models import AuditLog
from traceiq_app.settings import reset_settings_cache


def _actions(org_id) -> list[str]:  # type: ignore[no-untyped-def]
    with session_scope() as s:
        return [a.action for a in s.exec(select(AuditLog).where(AuditLog.org_id == org_id)).all()]


def test_it_locks_the_account_after_five_failures(api, personas, redis_server) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    for _ in range(4):
        r = login(api, "alice@acme.test", "wrong password!")
        assert r.status_code == 400 and r.json()["detail"] == "wrong email or password"
    fifth = login(api, "alice@acme.test", "wrong password!")
    assert fifth.status_code == 429
    assert "locked for 15 minutes" in fifth.json()["detail"]
    assert int(fifth.headers["Retry-After"]) > 800

    # Even the right password is refused while locked.
    locked = login(api, "alice@acme.test", PASSWORD)
    assert locked.status_code == 429

    # The lock is in Redis: a second "web process" (another client, fresh memory) sees it.
    assert any(k.startswith(b"tiq:rl:lock:acct:") for k in redis_server.client().keys("*"))

    actions = _actions(personas.acme.id)
    assert actions.count("auth.login_failed") == 5 and actions.count("auth.lockout") == 1

    # Other accounts are unaffected.
    set_password("bob@acme.test")
    assert login(api, "bob@acme.test").status_code == 200


def test_it_does_not_reveal_whether_an_email_exists(api, personas) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        last = login(api, "nobody@acme.test", "wrong password!")
    assert last.status_code == 429  # unknown emails lock the same way (no enumeration)
    assert login(api, "nobody2@acme.test", "x" * 12).json()["detail"] == "wrong email or password"


def test_it_limits_failures_per_ip(api, personas, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRACEIQ_LOGIN_MAX_FAILURES_PER_IP", "3")
    reset_settings_cache()
    set_password("bob@acme.test")
    for i in range(2):
        assert login(api, f"u{i}@acme.test", "wrong password!").status_code == 400
    r = login(api, "u9@acme.test", "wrong password!")
    assert r.status_code == 429 and "from your network" in r.json()["detail"]
    assert login(api, "bob@acme.test").status_code == 429


def test_it_counts_only_consecutive_failures(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    for _ in range(4):
        login(api, "alice@acme.test", "wrong password!")
    assert login(api, "alice@acme.test").status_code == 200
    for _ in range(4):
        assert login(api, "alice@acme.test", "wrong password!").status_code == 400


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
def test_it_refuses_cross_site_login(api, personas, origin: str) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    r = api.post("/api/auth/login", json={"email": "alice@acme.test", "password": PASSWORD},
                 headers={"Origin": origin})
    assert r.status_code == 403
    assert api.post("/api/auth/login", json={"email": "alice@acme.test", "password": PASSWORD},
                    headers={"Origin": ORIGIN}).status_code == 200
