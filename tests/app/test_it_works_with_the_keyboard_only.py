"""Keyboard only (focus moves as Tab would put it; no clicks): create a project and a folder,
write a test with three steps, save it with Ctrl+S, run it from the tests table, and jump to
the failing step with `j` on the live page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser_pages import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app")]
UUID = r"[0-9a-f-]{36}"


def _press(page: Page, locator, key: str = "Enter") -> None:  # type: ignore[no-untyped-def]
    locator.focus()
    page.keyboard.press(key)


def _type(page: Page, locator, text: str) -> None:  # type: ignore[no-untyped-def]
    locator.focus()
    locator.fill(text)  # as typed or pasted (keystroke by keystroke races the controlled input's debounce)


def _add_step(page: Page, action: str) -> None:
    count = page.get_by_test_id("step-card").count()
    _press(page, page.get_by_role("combobox", name="Action of the new step"))
    option = page.get_by_role("option", name=action, exact=True)
    option.focus()  # where the arrow keys would take it
    page.keyboard.press("Enter")
    expect(page.get_by_role("combobox", name="Action of the new step")).to_have_text(action)
    _press(page, page.get_by_role("button", name="Add step"))
    expect(page.get_by_test_id("step-card")).to_have_count(count + 1)


def test_it_goes_from_nothing_to_a_failing_step_with_the_keyboard(app_server, chromium, runs_site, worker) -> None:  # type: ignore[no-untyped-def]
    page = signed_in_page(app_server, chromium, "Keys")
    try:
        page.goto("/projects")
        _type(page, page.get_by_label("Project name"), "Keyboard shop")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf"/projects/{UUID}$"))
        _type(page, page.get_by_label("New folder name"), "Checkout")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Checkout")).to_be_visible()

        _press(page, page.get_by_role("link", name="New test"))
        page.wait_for_url(re.compile(r"/tests/new\?suite="))
        _type(page, page.get_by_label("Test name"), "Buy with the keyboard")
        _type(page, page.get_by_label("URL"), runs_site + "/index.html")
        _add_step(page, "click")
        _type(page, page.get_by_test_id("step-card").nth(1).get_by_label("Locator value"), "#no-such-button")
        _add_step(page, "assert_visible")
        _type(page, page.get_by_test_id("step-card").nth(2).get_by_label("Locator value"), "body")
        expect(page.get_by_text("Every field is valid.")).to_be_visible()
        page.keyboard.press("Control+s")
        page.wait_for_url(re.compile(rf"/tests/{UUID}$"))
        expect(page.get_by_text("version 1", exact=True)).to_be_visible()

        _press(page, page.get_by_role("link", name="Keyboard shop / Checkout"))
        page.wait_for_url(re.compile(rf"/projects/{UUID}\?suite="))
        _press(page, page.get_by_role("button", name="Run Buy with the keyboard", exact=True))
        page.wait_for_url(re.compile(rf"/runs/{UUID}$"))
        expect(page.locator("#run-status")).to_have_attribute("data-status", "failed", timeout=120_000)

        page.locator("body").press("j")
        card = page.locator("[data-test-status=failed]")
        expect(card).to_be_focused()
        failing = card.locator("[data-step-status=failed]")
        expect(failing).to_be_in_viewport()
        expect(failing).to_contain_text("click")
    finally:
        page.context.close()
