"""In Chromium against the running app: /defects (from the main navigation) lists the defects of
every project of the organization the user can read, with the project's name; the Project filter
narrows it to one project and then offers that project's custom field filters; the CSV export
downloads what the list shows; bob, in one project only, sees only its defects (at 390 px)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from tests.accounts.conftest import seed_live_cast
from tests.accounts.matrix_support import session_cookie
from tests.factories import make_project
from traceiq_app.db import get_engine
from traceiq_app.models import Organization
from traceiq_app.services.defects import custom_fields, defects

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("app"),
              pytest.mark.usefixtures("patient_expect")]

TIMEOUT = 90_000


def test_it_filters_by_project_and_downloads_the_export(live, chromium) -> None:  # type: ignore[no-untyped-def]
    cast = seed_live_cast()
    with Session(get_engine(), expire_on_commit=False) as s:
        acme = s.get(Organization, cast.acme_id)
        assert acme is not None
        mobile = make_project(s, acme, f"Mobile app with a very long project name {cast.suffix}", slug=f"mobile-{cast.suffix}")
        s.commit()
    custom_fields.create_field(cast.project_id, "defect", "Customer", "select", "Acme, Globex")
    defects.create(cast.project_id, cast.alice_id, {"title": "Cart total wrong", "custom": {"customer": "Acme"}})
    defects.create(cast.project_id, cast.alice_id, {"title": "Footer typo", "custom": {"customer": "Globex"}})
    defects.create(mobile.id, cast.alice_id, {"title": "App crashes on start", "severity": "blocker"})

    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.add_cookies([{"name": "tiq_session", "value": session_cookie(cast.alice_id), "url": live.url}])
    page = context.new_page()
    try:
        page.goto(f"{live.url}/projects")
        page.get_by_role("link", name="Defects", exact=True).first.click()
        page.wait_for_url(f"{live.url}/defects", timeout=TIMEOUT)
        rows = page.locator("#org-defects-table tbody tr")
        expect(rows).to_have_count(3, timeout=TIMEOUT)
        expect(page.locator("tr[data-defect^='Mobile app']")).to_have_count(1)

        page.locator("#filter-project").select_option(str(mobile.id))
        page.get_by_role("button", name="Apply").click()
        expect(rows).to_have_count(1, timeout=TIMEOUT)
        expect(rows.first).to_contain_text("App crashes on start")

        page.locator("#filter-project").select_option(str(cast.project_id))
        page.get_by_role("button", name="Apply").click()
        expect(rows).to_have_count(2, timeout=TIMEOUT)
        page.locator("#filter-cf-customer").fill("globex")  # offered once one project is chosen
        page.get_by_role("button", name="Apply").click()
        expect(rows).to_have_count(1, timeout=TIMEOUT)
        expect(rows.first).to_contain_text("Footer typo")

        with page.expect_download(timeout=TIMEOUT) as info:
            page.locator("#export-csv").click()
        download = info.value
        assert download.suggested_filename.endswith(".csv")
        text = Path(download.path()).read_text()
        exported = list(csv.reader(io.StringIO(text)))
        assert exported[0][0] == "Key" and exported[0][-1] == "Customer", exported[0]
        assert [(r[1], r[-1]) for r in exported[1:]] == [("Footer typo", "Globex")], exported

        page.get_by_role("button", name="Clear").click()
        expect(rows).to_have_count(3, timeout=TIMEOUT)
        with page.expect_download(timeout=TIMEOUT) as info:
            page.locator("#export-csv").click()
        everything = list(csv.reader(io.StringIO(Path(info.value.path()).read_text())))
        assert everything[0][:2] == ["Project", "Key"] and len(everything) == 4, everything

        # bob is an editor of the web shop only: the mobile project's defect is not his to see.
        bob = context.browser.new_context(viewport={"width": 390, "height": 844}) if context.browser else None
        assert bob is not None
        bob.add_cookies([{"name": "tiq_session", "value": session_cookie(cast.bob_id), "url": live.url}])
        bob_page = bob.new_page()
        bob_page.goto(f"{live.url}/defects")
        expect(bob_page.locator("#org-defects-table tbody tr")).to_have_count(2, timeout=TIMEOUT)
        expect(bob_page.get_by_text("App crashes on start")).to_have_count(0)
        bob.close()
    finally:
        context.close()
