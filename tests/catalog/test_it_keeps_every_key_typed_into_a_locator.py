"""Typing into the editor key by key (Playwright's press_sequentially, like a fast typist) keeps
every character: the step fields are uncontrolled inputs, so the server's echo of an earlier
keystroke never overwrites what was typed since (it used to: `#no-such-button` arrived as `#`)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser_pages import signed_in_page
from traceiq_app.services.catalog import test_cases

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app")]
UUID = r"[0-9a-f-]{36}"


def test_it_keeps_every_key_typed_into_a_locator(app_server, chromium, app_db) -> None:  # type: ignore[no-untyped-def]
    page = signed_in_page(app_server, chromium, "Typist")
    try:
        page.goto("/projects")
        page.get_by_label("Project name").fill("Typing shop")
        page.get_by_role("button", name="Create project").click()
        page.wait_for_url(re.compile(rf"/projects/{UUID}$"))
        pid = uuid.UUID(page.url.rsplit("/", 1)[1])
        page.get_by_role("link", name="New test").click()
        page.wait_for_url(re.compile(r"/tests/new"))
        page.get_by_label("Test name").fill("Typed by hand")
        page.get_by_label("URL").press_sequentially("https://shop.example.test/cart")
        page.get_by_role("combobox", name="Action of the new step").click()
        page.get_by_role("option", name="click", exact=True).click()
        page.get_by_role("button", name="Add step").click()
        locator = page.get_by_test_id("step-card").nth(1).get_by_label("Locator value")
        locator.press_sequentially("#no-such-button")
        expect(locator).to_have_value("#no-such-button")
        expect(page.get_by_text("Every field is valid.")).to_be_visible()
        page.keyboard.press("Control+s")
        page.wait_for_url(re.compile(rf"/tests/{UUID}$"))
        expect(page.get_by_text("version 1", exact=True)).to_be_visible()
        saved = test_cases.get_test_case(pid, page.url.rsplit("/", 1)[1])
        steps = [s if isinstance(s, dict) else s.model_dump() for s in saved.steps]
        assert steps[0]["url"] == "https://shop.example.test/cart"
        target = steps[1]["target"]
        assert (target[0] if isinstance(target, list) else target)["css"] == "#no-such-button"
        # The saved test reloads with the same text in its (uncontrolled) inputs.
        page.reload()
        expect(page.get_by_test_id("step-card").nth(1).get_by_label("Locator value")).to_have_value("#no-such-button")
    finally:
        page.context.close()
