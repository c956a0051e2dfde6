"""The API token and invitation forms keep what the user typed when the server refuses it (they
used to clear on submit, so a typo meant typing everything again), and clear once it is accepted."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser_pages import create_user, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app")]


def test_it_keeps_token_and_invitation_input_on_a_refusal(app_server, chromium) -> None:  # type: ignore[no-untyped-def]
    email = create_user(app_server, "Forms")
    page = signed_in_page(app_server, chromium, "Forms", email=email)
    try:
        page.goto("/settings/tokens")
        name = page.get_by_label("Name")
        expect(name).to_be_visible(timeout=60_000)
        name.fill("deploy bot")
        page.get_by_role("checkbox", name="write").click()
        expiry = page.get_by_label("Expires after (days, empty = never)")
        expiry.fill("99999")
        page.get_by_role("button", name="Create token").click()
        expect(page.get_by_text("expiry must be between 1 and").first).to_be_visible()
        expect(name).to_have_value("deploy bot")
        expect(expiry).to_have_value("99999")
        expect(page.get_by_role("checkbox", name="write")).to_be_checked()

        expiry.fill("30")
        page.get_by_role("button", name="Create token").click()
        expect(page.locator("#new-token")).to_contain_text("tiq_")
        expect(name).to_have_value("")  # accepted: the form is empty again
        expect(page.get_by_role("checkbox", name="write")).not_to_be_checked()
        expect(page.get_by_role("checkbox", name="read")).to_be_checked()  # back to its default

        page.goto("/settings/members")
        invite = page.get_by_label("Email")
        expect(invite).to_be_visible(timeout=60_000)
        invite.fill(email)  # already a member
        page.get_by_role("button", name="Invite").click()
        expect(page.get_by_text("is already a member of").first).to_be_visible()
        expect(invite).to_have_value(email)
        invite.fill("new.colleague@forms.test")
        page.get_by_role("button", name="Invite").click()
        expect(page.locator("#invite-link")).to_be_visible()
        expect(invite).to_have_value("")
    finally:
        page.context.close()
