"""The sign-in form redirects to `next` only when it is a local path (no open redirect), and
sends errors back to /login."""

from __future__ import annotations

import pytest

from tests.accounts.conftest import ORIGIN, PASSWORD, set_password
from traceiq_app.services.accounts.users import safe_next_path


@pytest.mark.parametrize("value", ["//evil.test", "https://evil.test", "/\\evil.test", "/\t/evil.test",
                                   "evil.test", "", None, "/\n/evil.test"])
def test_it_refuses_foreign_targets(value: str | None) -> None:
    assert safe_next_path(value) == "/"


def test_it_keeps_local_paths() -> None:
    assert safe_next_path("/settings/tokens?tab=1") == "/settings/tokens?tab=1"


def test_it_signs_in_through_the_plain_form(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    form = {"email": "alice@acme.test", "password": PASSWORD, "next": "//evil.test/x"}
    r = api.post("/api/auth/login-form", data=form, headers={"Origin": ORIGIN}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert "tiq_session=" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]

    bad = api.post("/api/auth/login-form", data={**form, "password": "nope nope nope", "next": "/settings/audit"},
                   headers={"Origin": ORIGIN}, follow_redirects=False)
    assert bad.status_code == 303
    assert bad.headers["location"].startswith("/login?error=wrong_credentials&next=%2Fsettings%2Faudit")

    foreign = api.post("/api/auth/login-form", data=form, headers={"Origin": "https://evil.test"},
                       follow_redirects=False)
    assert foreign.status_code == 303 and "error=cross_site" in foreign.headers["location"]
