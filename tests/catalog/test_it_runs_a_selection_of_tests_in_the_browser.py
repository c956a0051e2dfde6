"""The tests list: Radix checkboxes select tests, "Run N selected" opens the run dialog with
exactly those tests ticked (Radix checkboxes and selects there too, the video choice on the
project's default), and the run starts with them."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from tests.support.browser_pages import LAPTOP, PHONE, assert_fits, signed_in_page
from traceiq_app.services.catalog import projects, test_cases

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app")]


def test_it_runs_the_selected_tests(app_server, chromium, app_db) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.db import get_engine
    from traceiq_app.models import Run, TestResult

    page = signed_in_page(app_server, chromium, "Pick")
    try:
        page.goto("/projects")
        page.get_by_label("Project name").fill("Picked shop")
        page.get_by_role("button", name="Create project").click()
        page.wait_for_url(re.compile(r"/projects/[0-9a-f-]{36}$"))
        pid = uuid.UUID(page.url.rsplit("/", 1)[1])
        projects.update_project_settings(None, pid, {"base_url": "https://shop.example.test", "video": "on"})
        for name in ("Cart", "Checkout", "Search"):
            test_cases.create_test_case(pid, name, [{"action": "goto", "url": "/"}])
        page.reload()
        expect(page.get_by_role("link", name="Search", exact=True)).to_be_visible(timeout=60_000)
        expect(page.locator("#run-selected")).to_have_count(0)  # nothing selected yet

        page.get_by_role("checkbox", name="Select Cart").click()
        page.get_by_role("checkbox", name="Select Search").click()
        expect(page.get_by_role("checkbox", name="Select Cart")).to_be_checked()
        run_selected = page.get_by_role("button", name="Run 2 selected")
        expect(run_selected).to_be_visible()
        run_selected.click()

        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("checkbox", name="Cart", exact=True)).to_be_checked()
        expect(dialog.get_by_role("checkbox", name="Search", exact=True)).to_be_checked()
        expect(dialog.get_by_role("checkbox", name="Checkout", exact=True)).not_to_be_checked()
        expect(dialog.get_by_role("checkbox", name="chromium", exact=True)).to_be_checked()
        # Radix controls, not the browser's own checkboxes and selects.
        assert dialog.locator("button[role=checkbox]").count() >= 6
        expect(dialog.get_by_role("combobox", name="Video")).to_have_text("Always")  # the project's default
        page.set_viewport_size(PHONE)  # the dialog fits a phone
        page.wait_for_timeout(300)
        assert_fits(page)
        page.set_viewport_size(LAPTOP)
        dialog.get_by_role("combobox", name="Video").click()
        page.get_by_role("option", name="Off", exact=True).click()
        dialog.get_by_role("button", name="Start run").click()
        page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}$"))
        expect(page.locator("[data-test-id]")).to_have_count(2)

        run_id = uuid.UUID(page.url.rsplit("/", 1)[1])
        with Session(get_engine()) as s:
            run = s.get(Run, run_id)
            names = sorted(r.test_name for r in s.exec(select(TestResult).where(TestResult.run_id == run_id)))
        assert run is not None and run.video == "off"
        assert names == ["Cart", "Search"]
    finally:
        page.context.close()
