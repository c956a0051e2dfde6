"""In a real Chromium: "New folder" always makes a top-level folder (even with a folder
selected) and "New sub-folder" nests one explicitly; a 196-character folder name and a
299-character test name are cut with an ellipsis (full name in a tooltip) and push nothing
off-screen, at 1280 px and at 390 px."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser_pages import LAPTOP, PHONE, assert_fits, signed_in_page
from traceiq_app.services.catalog import suites, test_cases

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app")]

LONG_FOLDER = "Checkout flows for every payment provider " * 5  # 210 -> trimmed below
LONG_TEST = "Pays with a card and sees the receipt " * 8


def test_it_creates_top_level_and_sub_folders_explicitly(app_server, chromium, app_db) -> None:  # type: ignore[no-untyped-def]
    page = signed_in_page(app_server, chromium, "Folders")
    try:
        page.goto("/projects")
        page.get_by_label("Project name").fill("Shop")
        page.get_by_role("button", name="Create project").click()
        page.wait_for_url(re.compile(r"/projects/[0-9a-f-]{36}$"))
        pid = page.url.rsplit("/", 1)[1]

        page.get_by_label("New folder name").fill("Checkout")
        page.get_by_role("button", name="New folder", exact=True).click()
        expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
        page.get_by_label("New folder name").fill("Search")  # Checkout is selected: still top level
        page.get_by_role("button", name="New folder", exact=True).click()
        expect(page.get_by_role("heading", name="Search")).to_be_visible()

        page.get_by_test_id("suite-Checkout").click()
        page.get_by_role("button", name="New sub-folder").click()
        page.get_by_label("Sub-folder name").fill("Cards")
        page.get_by_role("button", name="Create sub-folder").click()
        expect(page.get_by_role("heading", name="Cards")).to_be_visible()

        top = {node.name: [child.name for child in node.children] for node in suites.list_tree(uuid.UUID(pid))}
        assert top == {"Checkout": ["Cards"], "Search": []}
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_it_truncates_long_names_everywhere(app_server, chromium, app_db, viewport) -> None:  # type: ignore[no-untyped-def]
    page = signed_in_page(app_server, chromium, "Long", viewport=viewport)
    folder, test = LONG_FOLDER.strip()[:196], LONG_TEST.strip()[:299]
    try:
        page.goto("/projects")
        page.get_by_label("Project name").fill("P" * 200)
        page.get_by_role("button", name="Create project").click()
        page.wait_for_url(re.compile(r"/projects/[0-9a-f-]{36}$"))
        pid = page.url.rsplit("/", 1)[1]
        suite = suites.create_suite(uuid.UUID(pid), folder)
        test_cases.create_test_case(uuid.UUID(pid), test, [{"action": "goto", "url": "https://example.test/"}],
                                    suite_id=suite.id)
        page.goto(f"/projects/{pid}?suite={suite.id}")
        row = page.get_by_test_id("suite-" + folder)
        # A fresh page load (connect + on_load) on a loaded CI machine takes longer than expect()'s 5 s.
        expect(row).to_be_visible(timeout=60_000)
        expect(page.get_by_role("link", name=test)).to_be_visible(timeout=60_000)
        for locator in (row.get_by_text(folder), page.get_by_role("link", name=test)):
            expect(locator).to_have_attribute("title", re.compile(".{150,}"))
            box = locator.evaluate("e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).textOverflow]")
            assert box[0] > box[1] and box[2] == "ellipsis", box  # cut with an ellipsis, not wrapped or spilled
        expect(page.get_by_role("button", name="New test")).to_be_in_viewport()
        assert_fits(page)
        page.screenshot(path=f"/tmp/tiq15-long-names-{viewport['width']}.png")
    finally:
        page.context.close()
