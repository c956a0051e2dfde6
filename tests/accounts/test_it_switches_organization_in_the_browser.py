"""In Chromium against the running app: alice belongs to two organizations. Picking the other one
in the user menu while on /defects lists that organization's defects at once (the page is
loaded again for it); picking one while on a project's page, which belongs to the
organization left, goes to the projects."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from tests.accounts.conftest import seed_live_cast
from tests.accounts.matrix_support import session_cookie
from tests.factories import add_org_member
from tests.support.webapp import patient_expect  # noqa: F401 - browser assertions wait 30 s
from traceiq_app.db import get_engine
from traceiq_app.models import Organization, OrgRole, Project, User
from traceiq_app.services.defects import defects

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("app"),
              pytest.mark.usefixtures("patient_expect")]

TIMEOUT = 90_000


def test_it_reloads_the_page_for_the_organization_picked(live, chromium) -> None:  # type: ignore[no-untyped-def]
    cast = seed_live_cast()
    with Session(get_engine(), expire_on_commit=False) as s:
        globex = s.get(Organization, cast.globex_id)
        alice = s.get(User, cast.alice_id)
        assert globex is not None and alice is not None
        add_org_member(s, globex, alice, OrgRole.admin)
        portal = s.exec(select(Project).where(Project.org_id == cast.globex_id)).one()
        s.commit()
    defects.create(cast.project_id, cast.alice_id, {"title": "Cart total wrong", "severity": "major"})
    defects.create(portal.id, cast.charlie_id, {"title": "Portal login loops", "severity": "major"})

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "tiq_session", "value": session_cookie(cast.alice_id), "url": live.url}])
    page = context.new_page()
    menu = page.get_by_role("button", name="User menu")
    try:
        page.goto(f"{live.url}/defects")
        rows = page.locator("#org-defects-table tbody tr")
        current = page.get_by_role("menuitem", name=re.compile(r" · (owner|admin|member)$"))
        menu.click()
        expect(current).to_contain_text(f"Acme {cast.suffix}")
        page.keyboard.press("Escape")
        expect(rows).to_have_count(1, timeout=TIMEOUT)
        expect(rows.first).to_contain_text("Cart total wrong")

        menu.click()
        page.get_by_role("menuitem", name=f"Globex {cast.suffix}", exact=True).click()
        expect(rows.first).to_contain_text("Portal login loops", timeout=TIMEOUT)
        expect(rows).to_have_count(1)
        assert page.url == f"{live.url}/defects"  # the same page
        menu.click()
        expect(current).to_contain_text(f"Globex {cast.suffix} · admin")
        page.keyboard.press("Escape")

        # A project's page belongs to its organization: switching away from it goes to the projects.
        page.goto(f"{live.url}/projects/{portal.id}/runs")
        expect(page.get_by_role("heading", name="Runs", exact=True)).to_be_visible(timeout=TIMEOUT)
        menu.click()
        page.get_by_role("menuitem", name=f"Acme {cast.suffix}", exact=True).click()
        page.wait_for_url(f"{live.url}/projects", timeout=TIMEOUT)
        expect(page.get_by_role("heading", name="Projects", exact=True)).to_be_visible()
        menu.click()
        expect(current).to_contain_text(f"Acme {cast.suffix} · owner")
    finally:
        context.close()
