"""Project settings page: the execution settings of the project and of each folder are editable
(base URL, headers, cookies, variables, viewport, timeouts, browsers, video), checked on the
server with messages for people; a refused form keeps what was typed and marks the field.
A folder's "Folder settings" opens the same form on that folder; a test inherits both."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser_pages import LAPTOP, PHONE, assert_fits, signed_in_page
from traceiq_app.services.catalog import projects, suites

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app")]


def test_it_edits_project_and_folder_settings(app_server, chromium, app_db) -> None:  # type: ignore[no-untyped-def]
    page = signed_in_page(app_server, chromium, "Settings")
    try:
        page.goto("/projects")
        page.get_by_label("Project name").fill("Configured shop")
        page.get_by_role("button", name="Create project").click()
        page.wait_for_url(re.compile(r"/projects/[0-9a-f-]{36}$"))
        pid = uuid.UUID(page.url.rsplit("/", 1)[1])
        folder = suites.create_suite(pid, "Checkout")

        page.goto(f"/projects/{pid}/settings")
        base_url = page.get_by_label("Base URL")
        expect(base_url).to_be_visible(timeout=60_000)
        base_url.fill("shop.example.test")  # no scheme
        page.get_by_label("Headers").fill("X-Team: checkout")
        page.get_by_label("Viewport").fill("1280x800")
        page.get_by_label("Step timeout (ms)").fill("5000")
        page.get_by_role("checkbox", name="firefox").click()
        page.get_by_role("button", name="Save settings").click()
        error = page.locator("#settings-error")
        expect(error).to_contain_text("base URL: must start with http:// or https://")
        expect(base_url).to_have_value("shop.example.test")  # kept, and marked
        expect(base_url).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_label("Headers")).to_have_value("X-Team: checkout")
        expect(page.get_by_role("checkbox", name="firefox")).to_be_checked()

        base_url.fill("https://shop.example.test")
        page.get_by_label("Viewport").fill("wide")
        page.get_by_role("button", name="Save settings").click()
        expect(error).to_contain_text("viewport: write WIDTHxHEIGHT")
        page.get_by_label("Viewport").fill("1280x800")
        page.get_by_role("combobox", name="Video default").click()
        page.get_by_role("option", name="On failure", exact=True).click()
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_text("Settings of the project saved.").first).to_be_visible()
        expect(error).to_have_count(0)
        saved = projects.get_project(pid).settings
        assert saved == {"base_url": "https://shop.example.test", "headers": {"X-Team": "checkout"},
                         "viewport": {"width": 1280, "height": 800}, "step_timeout_ms": 5000,
                         "browsers": ["firefox"], "video": "failures"}
        page.reload()
        expect(page.get_by_label("Base URL")).to_have_value("https://shop.example.test", timeout=60_000)
        expect(page.get_by_label("Viewport")).to_have_value("1280x800")
        page.set_viewport_size(PHONE)  # the form fits a phone
        page.wait_for_timeout(300)
        assert_fits(page)
        page.set_viewport_size(LAPTOP)

        # The folder, from its own "Folder settings" button on the project page.
        page.goto(f"/projects/{pid}")
        page.get_by_role("button", name=re.compile("Checkout")).first.click()
        page.get_by_role("link", name="Folder settings").click()
        page.wait_for_url(re.compile(rf"/projects/{pid}/settings\?folder={folder.id}"))
        expect(page.get_by_role("combobox", name="Settings of")).to_contain_text("Checkout", timeout=60_000)
        expect(page.get_by_label("Base URL")).to_have_value("")  # the folder sets nothing yet: inherits
        page.get_by_label("Variables").fill("USER=alice\n2BAD=x")
        page.get_by_label("Cookies").fill("session=abc; domain=shop.example.test")
        page.get_by_role("button", name="Save settings").click()
        expect(error).to_contain_text("variables, line 2: write NAME=value")
        expect(page.get_by_label("Variables")).to_have_value("USER=alice\n2BAD=x")
        page.get_by_label("Variables").fill("USER=alice")
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_text("Settings of the folder saved.").first).to_be_visible()
        stored = suites.suite_settings(pid, folder.id)
        assert stored["variables"] == {"USER": "alice"}
        assert [(c["name"], c["value"], c["domain"]) for c in stored["cookies"]] == [
            ("session", "abc", "shop.example.test")]
    finally:
        page.context.close()
