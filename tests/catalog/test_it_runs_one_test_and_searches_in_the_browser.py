"""In a real Chromium: the tests table filters as the user types in its search box, shows each
test's last run ("never run" first), and its Run button starts a run of that one test at once
(straight to the live page); the run dialog preselects the project's only environment."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser_pages import PHONE, assert_fits, signed_in_page
from traceiq_app.services.catalog import environments, test_cases

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app")]


def test_it_searches_and_runs_one_test(app_server, chromium, app_db) -> None:  # type: ignore[no-untyped-def]
    page = signed_in_page(app_server, chromium, "RunOne")
    try:
        page.goto("/projects")
        page.get_by_label("Project name").fill("Shop")
        page.get_by_role("button", name="Create project").click()
        page.wait_for_url(re.compile(r"/projects/[0-9a-f-]{36}$"))
        pid = uuid.UUID(page.url.rsplit("/", 1)[1])
        environments.create_environment(None, pid, "staging", base_url="https://staging.example.test")
        for name, tags in (("Pay by card", ["smoke"]), ("Search the shop", []), ("Sign in", ["smoke"]),
                           ("Sign out", [])):
            test_cases.create_test_case(pid, name, [{"action": "goto", "url": "/"}], tags=tags)
        page.reload()
        expect(page.get_by_role("link", name="Sign out", exact=True)).to_be_visible()
        expect(page.get_by_test_id("last-run").first).to_have_text("never run")

        page.get_by_label("Search tests").fill("smoke")
        expect(page.get_by_role("table").get_by_role("link")).to_have_text(["Pay by card", "Sign in"])
        page.get_by_label("Search tests").fill("nothing like this")
        expect(page.get_by_text("No test matches")).to_be_visible()
        page.get_by_label("Search tests").fill("")

        page.get_by_role("button", name="Run tests").click()
        expect(page.get_by_role("dialog").get_by_role("combobox", name="Environment")).to_have_text("staging")
        page.keyboard.press("Escape")

        page.set_viewport_size(PHONE)
        assert_fits(page)
        page.get_by_role("button", name="Run Sign in", exact=True).click()
        page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}$"))
        expect(page.locator("[data-test-id]")).to_have_count(1)
        expect(page.locator("[data-test-id]")).to_contain_text("Sign in")
        expect(page.get_by_text("env staging")).to_be_visible()
    finally:
        page.context.close()
