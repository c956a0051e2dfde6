"""In a real Chromium: a refused environment form keeps every field the user typed, marks the
wrong field and says what is wrong in words; fixing the field and saving again works and
then empties the form. The project name input stops at 200 characters as the user types."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser_pages import PHONE, assert_fits, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app")]


def test_it_keeps_what_the_user_typed_when_a_form_is_refused(app_server, chromium) -> None:  # type: ignore[no-untyped-def]
    page = signed_in_page(app_server, chromium, "Forms")
    try:
        page.goto("/projects")
        name = page.get_by_label("Project name")
        name.fill("p" * 250)
        assert len(name.input_value()) == 200  # the limit applies while typing
        name.fill("Web shop")
        page.get_by_role("button", name="Create project").click()
        page.wait_for_url(re.compile(r"/projects/[0-9a-f-]{36}$"))
        page.goto(page.url + "/environments")

        page.get_by_label("Environment name").fill("staging")
        page.get_by_label("Base URL").fill("staging.example.test")
        page.get_by_label("Variables").fill("USER=qa\nLANG=en")
        page.get_by_role("button", name="Create environment").click()
        expect(page.get_by_test_id("form-error")).to_have_text(
            "base URL: must start with http:// or https:// followed by a host")
        expect(page.get_by_label("Base URL")).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_label("Environment name")).to_have_value("staging")
        expect(page.get_by_label("Base URL")).to_have_value("staging.example.test")
        expect(page.get_by_label("Variables")).to_have_value("USER=qa\nLANG=en")

        page.get_by_label("Base URL").fill("https://staging.example.test")
        page.get_by_label("Variables").fill("USER=qa\nno equals sign")
        page.get_by_role("button", name="Create environment").click()
        expect(page.get_by_test_id("form-error")).to_have_text("variables, line 2: write NAME=value")
        expect(page.get_by_label("Variables")).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_label("Base URL")).to_have_attribute("aria-invalid", "false")
        expect(page.get_by_label("Base URL")).to_have_value("https://staging.example.test")

        page.get_by_label("Variables").fill("USER=qa")
        page.get_by_role("button", name="Create environment").click()
        expect(page.get_by_role("heading", name="staging")).to_be_visible()
        expect(page.get_by_test_id("form-error")).to_have_count(0)
        expect(page.get_by_label("Environment name")).to_have_value("")
        page.set_viewport_size(PHONE)
        assert_fits(page)
        page.screenshot(path="/tmp/tiq15-environments-phone.png", full_page=True)
    finally:
        page.context.close()
