"""The editor in a real Chromium: a blank new test opens without errors; step summaries are
not clipped (a full line box, "goto" keeps its descender); Ctrl+S saves; leaving with unsaved
edits through an in-app link asks first (dismiss: stay with the edits; accept: leave); the
save bar fits a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser_pages import PHONE, assert_fits, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app")]


def test_it_saves_with_ctrl_s_and_guards_unsaved_edits(app_server, chromium) -> None:  # type: ignore[no-untyped-def]
    page = signed_in_page(app_server, chromium, "Editor")
    try:
        page.goto("/projects")
        page.get_by_label("Project name").fill("Shop")
        page.get_by_role("button", name="Create project").click()
        page.wait_for_url(re.compile(r"/projects/[0-9a-f-]{36}$"))
        page.get_by_role("link", name="New test").click()
        page.wait_for_url(re.compile(r"/tests/new"))

        # no errors before the user typed anything
        expect(page.get_by_test_id("problems-pending")).to_be_visible()
        expect(page.get_by_test_id("problems")).to_have_count(0)
        expect(page.get_by_test_id("step-card").get_by_role("alert")).to_have_count(0)

        page.get_by_label("Test name").fill("Open the shop")
        page.get_by_label("URL").fill("https://shop.example.test/goto_page")
        summary = page.get_by_test_id("step-summary").first
        expect(summary).to_contain_text("goto")
        box = summary.evaluate("e => ({h: e.getBoundingClientRect().height, sh: e.scrollHeight, ch: e.clientHeight,"
                               " line: parseFloat(getComputedStyle(e).lineHeight)})")
        assert box["h"] >= box["line"] - 0.5 and box["sh"] <= box["ch"] + 1, box  # a whole line: nothing clipped

        page.get_by_label("URL").press("Control+s")
        page.wait_for_url(re.compile(r"/tests/[0-9a-f-]{36}$"))
        expect(page.get_by_text("version 1", exact=True)).to_be_visible()

        page.get_by_label("URL").fill("https://shop.example.test/other")
        expect(page.get_by_text("Unsaved changes")).to_be_visible()
        asked: list[str] = []
        page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
        page.get_by_role("link", name="Shop").first.click()
        expect(page.get_by_label("URL")).to_have_value("https://shop.example.test/other")  # stayed, edits kept
        assert asked and "unsaved changes" in asked[0]
        assert "/tests/" in page.url

        page.get_by_label("URL").press("Control+s")
        expect(page.get_by_text("version 2", exact=True)).to_be_visible()
        expect(page.get_by_text("Unsaved changes")).to_have_count(0)

        page.get_by_label("URL").fill("https://shop.example.test/third")
        page.once("dialog", lambda d: d.accept())
        page.get_by_role("link", name="Shop").first.click()
        page.wait_for_url(re.compile(r"/projects/[0-9a-f-]{36}(\?.*)?$"))

        page.go_back()
        page.wait_for_url(re.compile(r"/tests/[0-9a-f-]{36}$"))
        expect(page.get_by_label("URL")).to_have_value("https://shop.example.test/other")  # left unsaved: v2 stays
        page.set_viewport_size(PHONE)
        expect(page.get_by_role("button", name="Save")).to_be_in_viewport()
        expect(page.get_by_role("button", name="Delete test")).to_be_in_viewport()
        assert_fits(page)
        page.screenshot(path="/tmp/tiq15-editor-phone.png")
    finally:
        page.context.close()
