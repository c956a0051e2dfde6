"""The landing page and the app shell in a real Chromium: a signed-in user visiting `/` lands on
the projects with the top menu; a visitor is not offered a "Create account" that leads nowhere;
the favicon exists; at 390 px the navigation collapses into a menu (nothing wider than the
screen, sign-out reachable) and at 1280 px the links show inline."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.browser_pages import LAPTOP, PHONE, assert_fits, create_user, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app")]


def test_it_serves_a_favicon(app_server) -> None:  # type: ignore[no-untyped-def]
    for path in ("/favicon.ico", "/favicon.svg"):
        response = httpx.get(app_server.url + path, timeout=30)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("image/"), path


def test_it_offers_no_dead_end_sign_up_once_users_exist(app_server, chromium) -> None:  # type: ignore[no-untyped-def]
    create_user(app_server, "Landing")  # the install has a user: default policy closes sign-up
    context = chromium.new_context(viewport=LAPTOP, base_url=app_server.url)
    page = context.new_page()
    try:
        page.goto("/")
        expect(page.get_by_text("Ask an admin of your organization for an invitation")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        expect(page.get_by_role("button", name="Create account")).to_have_count(0)
        assert page.locator("link[rel=icon]").count() >= 1
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_it_lands_a_signed_in_user_on_the_projects(app_server, chromium, viewport) -> None:  # type: ignore[no-untyped-def]
    page = signed_in_page(app_server, chromium, "Landing", viewport=viewport)
    try:
        page.goto("/")
        page.wait_for_url(re.compile(r"/projects$"))
        expect(page.get_by_role("heading", name="Projects", exact=True)).to_be_visible()
        menu = page.get_by_role("button", name="Navigation menu")
        if viewport is PHONE:
            expect(page.get_by_role("navigation").get_by_role("link", name="Audit log")).to_be_hidden()
            assert_fits(page)
            page.screenshot(path="/tmp/tiq15-projects-phone.png")
            menu.click()
            expect(page.get_by_role("menuitem", name="Audit log")).to_be_visible()
            page.keyboard.press("Escape")
            page.get_by_role("button", name="User menu").click()
            expect(page.get_by_role("menuitem", name="Sign out", exact=True)).to_be_in_viewport()
        else:
            expect(menu).to_be_hidden()
            expect(page.get_by_role("navigation").get_by_role("link", name="Audit log")).to_be_visible()
            assert_fits(page)
            page.screenshot(path="/tmp/tiq15-projects-laptop.png")
    finally:
        page.context.close()
