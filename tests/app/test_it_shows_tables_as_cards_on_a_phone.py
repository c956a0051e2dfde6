"""At 390 px (a phone) the runs list, the tests list, the members and the API tokens are cards
(one per row, "label value" lines), not tables scrolling sideways inside their box; at 1280 px
they are tables. Measured: each row's display, its width against the screen, nothing past the
right edge, and no sideways scrolling anywhere (not even inside the table's own box)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser_pages import LAPTOP, PHONE, assert_fits, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app")]

ROW_LAYOUT_JS = """() => {
    const row = document.querySelector('.tiq-cards tbody tr');
    if (!row) return null;
    const scrollers = [...document.querySelectorAll('.tiq-cards, .tiq-cards *')]
        .filter(el => el.scrollWidth > el.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX));
    const label = getComputedStyle(row.querySelector('td[data-label]'), '::before').content;
    return {display: getComputedStyle(row).display, what: scrollers.map(el => el.className).slice(0, 3), width: row.getBoundingClientRect().width,
            screen: document.documentElement.clientWidth, scrollers: scrollers.length, label};
}"""


def _layout(page: Page) -> dict:  # type: ignore[type-arg]
    expect(page.locator(".tiq-cards tbody tr").first).to_be_visible(timeout=60_000)
    page.wait_for_timeout(300)
    found = page.evaluate(ROW_LAYOUT_JS)
    assert found is not None
    return found  # type: ignore[no-any-return]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_it_shows_tables_as_cards_on_a_phone(app_server, chromium, app_db, viewport) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.services.catalog import projects, test_cases
    from traceiq_app.services.runs import control

    page = signed_in_page(app_server, chromium, "Cards", viewport=viewport)
    try:
        page.goto("/projects")
        page.get_by_label("Project name").fill("Pocket shop")
        page.get_by_role("button", name="Create project").click()
        page.wait_for_url(re.compile(r"/projects/[0-9a-f-]{36}$"))
        pid = uuid.UUID(page.url.rsplit("/", 1)[1])
        projects.update_project_settings(None, pid, {"base_url": "https://shop.example.test"})
        for name in ("Pay by card with a very long descriptive name of the checkout flow", "Search"):
            test_cases.create_test_case(pid, name, [{"action": "goto", "url": "/"}], tags=["smoke", "checkout"])
        control.start_run(pid, dispatch=False, branch="feature/a-rather-long-branch-name-for-phones")
        page.goto("/settings/tokens")
        page.get_by_label("Name").fill("phone token")
        page.get_by_role("button", name="Create token").click()
        expect(page.locator("#new-token")).to_be_visible(timeout=60_000)

        for path in (f"/projects/{pid}", f"/projects/{pid}/runs", "/settings/members", "/settings/tokens",
                     f"/projects/{pid}/members"):
            page.goto(path)
            found = _layout(page)
            where = f"{path} at {viewport['width']} px: {found}"
            if viewport is PHONE:
                assert found["display"] == "block", where
                assert found["width"] <= found["screen"], where
                assert found["scrollers"] == 0, where  # nothing scrolls sideways inside the table either
                assert found["label"] not in ("none", "normal", ""), where  # each line says what it is
            else:
                assert found["display"] == "table-row", where
            assert_fits(page)
    finally:
        page.context.close()
