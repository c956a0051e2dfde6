"""Changing one's password from /settings/password: the form posts straight to the API (the
passwords never enter Reflex state), keeps this session, signs out every other one, and refuses
a wrong current password, a mismatch, a weak password and cross-site posts."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.accounts.conftest import ORIGIN, PASSWORD, login, set_password

NEW = "a-much-better-passphrase"


def _post(client, current: str, new: str, confirm: str | None = None, origin: str = ORIGIN):  # type: ignore[no-untyped-def]
    return client.post("/api/auth/password-form", headers={"Origin": origin}, follow_redirects=False, data={
        "current_password": current, "new_password": new, "new_password_confirm": new if confirm is None else confirm})


def _error(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 303
    return parse_qs(urlsplit(response.headers["location"]).query).get("error", [""])[0]


def test_it_changes_the_password_and_signs_out_other_sessions(api, personas) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from traceiq_app.api.app import create_api

    set_password("alice@acme.test")
    login(api, "alice@acme.test")
    with TestClient(create_api(), base_url=ORIGIN) as laptop:
        login(laptop, "alice@acme.test")
        response = _post(api, PASSWORD, NEW)
        assert response.headers["location"] == "/settings/password?notice=password_changed"
        assert api.get("/api/me").status_code == 200  # this session stays
        assert laptop.get("/api/me").status_code == 401  # the other one is gone
        assert login(laptop, "alice@acme.test", NEW).status_code == 200
        assert laptop.post("/api/auth/login", json={"email": "alice@acme.test", "password": PASSWORD},
                           headers={"Origin": ORIGIN}).status_code in (400, 401)


def test_it_refuses_bad_input_and_changes_nothing(api, personas) -> None:  # type: ignore[no-untyped-def]
    set_password("alice@acme.test")
    login(api, "alice@acme.test")
    assert _error(_post(api, "wrong-current-password", NEW)) == "wrong_current_password"
    assert _error(_post(api, PASSWORD, NEW, confirm=NEW + "x")) == "password_mismatch"
    assert _error(_post(api, PASSWORD, "short")) == "password_too_short"
    assert _post(api, PASSWORD, NEW, origin="https://evil.test").status_code == 403
    api.cookies.clear()
    assert login(api, "alice@acme.test", PASSWORD).status_code == 200  # still the old password


def test_it_needs_a_signed_in_browser_session(api, personas) -> None:  # type: ignore[no-untyped-def]
    assert _post(api, PASSWORD, NEW).status_code == 401
