"""Every page of the app at 390×844 (a phone) and 1280×800 (a laptop): nothing reaches past the
screen's right edge and the page does not scroll sideways (wide tables scroll inside their own
box). The pages with their own flows (projects, project, editor, environments, runs, run) are
measured in their tests and in the walkthrough."""

from __future__ import annotations

import re

import pytest

from tests.support.browser_pages import LAPTOP, PHONE, assert_fits, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app")]

PAGES = ["/defects", "/settings/tokens", "/settings/members", "/settings/audit", "/settings/organization",
         "/settings/system", "/settings/security", "/settings/password", "{project}/settings", "{project}/members", "{project}/import",
         "{project}/tests/new", "{project}/runs", "{project}/environments", "{project}", "{project}/manual-runs",
         "{project}/manual-tests/new", "{project}/custom-fields"]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_it_fits_every_page(app_server, chromium, viewport) -> None:  # type: ignore[no-untyped-def]
    page = signed_in_page(app_server, chromium, "Fits", viewport=viewport)
    try:
        page.goto("/projects")
        page.get_by_label("Project name").fill("Shop")
        page.get_by_role("button", name="Create project").click()
        page.wait_for_url(re.compile(r"/projects/[0-9a-f-]{36}$"))
        project = page.url
        for path in PAGES:
            page.goto(path.format(project=project))
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(300)
            try:
                assert_fits(page)
            except AssertionError as exc:
                raise AssertionError(f"{path} at {viewport['width']} px: {exc}") from None
            if path == "{project}":  # the project's twelve tabs: one row (scrolling sideways on a phone)
                tabs = page.locator("#project-tabs")
                box = tabs.bounding_box()
                assert box is not None and box["height"] < (60 if viewport is PHONE else 120), box
                if viewport is PHONE:
                    assert tabs.evaluate("el => el.scrollWidth > el.clientWidth")
        for path in ("/login", "/signup", "/"):
            page.context.clear_cookies()
            page.goto(path)
            page.wait_for_load_state("networkidle")
            assert_fits(page)
    finally:
        page.context.close()
