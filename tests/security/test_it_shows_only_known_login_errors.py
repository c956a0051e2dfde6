"""/login?error= shows only the fixed message of a known error code: text put into the URL by
someone else (phishing) never appears on our page, and the sign-in form redirects with codes."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.accounts.conftest import *  # noqa: F403 - `live`: this process on the app's database
from tests.accounts.conftest import PASSWORD, seed_live_cast

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("app")]

PHISHING = "Your account is suspended. Call +1-555-0100 now"


def test_it_does_not_show_text_from_the_url(live, chromium) -> None:  # type: ignore[no-untyped-def]
    page = chromium.new_page()
    try:
        # notice=signed_out: its toast proves on_load ran; the error text must not come with it.
        page.goto(live.url + "/login?" + httpx.QueryParams({"error": PHISHING, "notice": "signed_out"}).__str__())
        page.get_by_text("You are signed out.").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        assert "555-0100" not in page.content()
    finally:
        page.close()


def test_it_shows_the_message_of_a_known_code(live, chromium) -> None:  # type: ignore[no-untyped-def]
    page = chromium.new_page()
    try:
        page.goto(live.url + "/login?error=wrong_credentials")
        page.get_by_text("Wrong email or password.").first.wait_for(timeout=60_000)
    finally:
        page.close()


def test_it_redirects_a_failed_sign_in_with_a_code(live) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.services.accounts.passwords import hash_password

    cast = seed_live_cast(password_hash=hash_password(PASSWORD))
    response = httpx.post(live.url + "/api/auth/login-form", data={"email": cast.alice, "password": "wrong!!"},
                          headers={"Origin": live.url}, follow_redirects=False, timeout=60)
    assert response.status_code == 303
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["error"] == ["wrong_credentials"]
