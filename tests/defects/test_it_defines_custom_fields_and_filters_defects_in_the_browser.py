"""In Chromium against the running app: an admin defines custom fields (a select without options
is refused with a human message); a test case's page shows its open defects and refuses a bad
custom field value; the defects list filters by severity and by a custom field, saves the
filter for its user and exports what it shows; the analytics dashboard shows open defects by
severity and the weekly trend."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from tests.accounts.conftest import seed_live_cast
from tests.accounts.matrix_support import session_cookie
from tests.factories import make_test_case
from traceiq_app.db import get_engine
from traceiq_app.models import Project
from traceiq_app.services.defects import defects

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("app"),
              pytest.mark.usefixtures("patient_expect")]

TIMEOUT = 90_000


def test_it_defines_fields_filters_saves_and_exports(live, chromium) -> None:  # type: ignore[no-untyped-def]
    cast = seed_live_cast()
    with Session(get_engine(), expire_on_commit=False) as s:
        project = s.get(Project, cast.project_id)
        assert project is not None
        case = make_test_case(s, project, "Apply a coupon")
        for name in ("Apply a gift card", "Pay by card", "Pay by invoice"):
            make_test_case(s, project, name)
        s.commit()
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "tiq_session", "value": session_cookie(cast.alice_id), "url": live.url}])
    page = context.new_page()
    base = f"{live.url}/projects/{cast.project_id}"
    try:
        page.goto(f"{base}/settings")
        expect(page.locator("#custom-fields-link")).to_have_attribute("href", f"/projects/{cast.project_id}/custom-fields",
                                                                      timeout=TIMEOUT)
        page.locator("#custom-fields-link").click()
        page.wait_for_url(re.compile(r"/custom-fields$"), timeout=TIMEOUT)
        expect(page.get_by_label("Label")).to_be_visible(timeout=TIMEOUT)
        page.get_by_label("Label").fill("Customer")
        page.locator("#field-kind").select_option("select")
        page.get_by_role("button", name="Add field").click()
        expect(page.get_by_test_id("form-error")).to_have_text(
            "Options: a select field needs at least one option (comma-separated).", timeout=TIMEOUT)
        page.get_by_label("Options (select fields)").fill("Acme, Globex")
        page.get_by_role("button", name="Add field").click()
        expect(page.locator("tr[data-field=Customer]")).to_be_visible(timeout=TIMEOUT)
        page.locator("#field-applies-to").select_option("test")
        page.get_by_label("Label").fill("Story points")
        page.locator("#field-kind").select_option("number")
        page.get_by_label("Options (select fields)").fill("")
        page.get_by_role("button", name="Add field").click()
        expect(page.locator("tr[data-field='Story points']")).to_be_visible(timeout=TIMEOUT)

        defects.create(cast.project_id, cast.alice_id, {"title": "Coupon refused", "severity": "critical",
                                                        "test_case_id": str(case.id), "custom": {"customer": "Acme"}})
        defects.create(cast.project_id, cast.alice_id, {"title": "Footer typo", "severity": "trivial",
                                                        "custom": {"customer": "Globex"}})

        page.goto(f"{live.url}/tests/{case.id}")
        panel = page.locator("#test-defects-panel")
        expect(panel.locator("[data-test-defect=DEF-1]")).to_be_visible(timeout=TIMEOUT)
        panel.get_by_label("Story points").fill("lots")
        panel.get_by_role("button", name="Save fields").click()
        expect(panel.get_by_test_id("form-error")).to_have_text("Story points: 'lots' is not a number.",
                                                                timeout=TIMEOUT)
        panel.get_by_label("Story points").fill("5")
        panel.get_by_role("button", name="Save fields").click()
        expect(panel.get_by_test_id("form-error")).to_have_count(0, timeout=TIMEOUT)

        # The tests list shows the test's fields, its search finds tests by a field's value, and
        # its CSV download has the fields as columns.
        page.goto(base)
        row = page.locator("tr", has=page.get_by_role("link", name="Apply a coupon", exact=True))
        expect(row.locator(".tiq-test-fields")).to_have_text("Story points: 5", timeout=TIMEOUT)
        page.get_by_label("Search tests").fill("points: 5")
        expect(page.locator("tbody tr")).to_have_count(1, timeout=TIMEOUT)
        page.get_by_label("Search tests").fill("pay")
        expect(page.locator("tbody tr")).to_have_count(2, timeout=TIMEOUT)
        href = page.locator("#tests-csv").get_attribute("href") or ""
        tests = list(csv.reader(io.StringIO(page.request.get(live.url.rstrip("/") + href).text())))
        assert tests[0][-1] == "Story points", tests[0]
        assert {r[0]: r[-1] for r in tests[1:]} == {"Apply a coupon": "5", "Apply a gift card": "",
                                                   "Pay by card": "", "Pay by invoice": ""}, tests

        page.goto(f"{base}/defects")
        expect(page.locator("tr[data-defect]")).to_have_count(2, timeout=TIMEOUT)
        page.locator("#filter-cf-customer").fill("globex")
        page.get_by_role("button", name="Apply").click()
        expect(page.locator("tr[data-defect]")).to_have_count(1, timeout=TIMEOUT)
        expect(page.locator("tr[data-defect='DEF-2']")).to_be_visible()
        page.get_by_label("Saved filter name").fill("Globex")
        page.get_by_role("button", name="Save filter").click()
        page.get_by_role("button", name="Clear").click()
        expect(page.locator("tr[data-defect]")).to_have_count(2, timeout=TIMEOUT)
        page.locator("#filter-severity").select_option("critical")
        page.get_by_role("button", name="Apply").click()
        expect(page.locator("tr[data-defect]")).to_have_count(1, timeout=TIMEOUT)
        expect(page.locator("tr[data-defect='DEF-1']")).to_be_visible()
        href = page.locator("#export-csv").get_attribute("href") or ""
        assert "severity=critical" in href
        rows = list(csv.reader(io.StringIO(page.request.get(live.url.rstrip("/") + href).text())))
        assert [r[0] for r in rows[1:]] == ["DEF-1"] and rows[0][-1] == "Customer" and rows[1][-1] == "Acme"
        page.reload()
        page.get_by_role("button", name="Globex", exact=True).click()  # the saved filter, after a reload
        expect(page.locator("tr[data-defect]")).to_have_count(1, timeout=TIMEOUT)
        expect(page.locator("tr[data-defect='DEF-2']")).to_be_visible()

        page.goto(f"{base}/analytics")
        expect(page.locator("[data-open-severity=critical]")).to_contain_text("1", timeout=TIMEOUT)
        expect(page.locator("[data-open-severity=trivial]")).to_contain_text("1")
        page.wait_for_function("() => (document.getElementById('chart-defect_trend') || {}).data?.[0]?.y"
                               ".reduce((a, b) => a + b, 0) === 2", timeout=TIMEOUT)
    finally:
        context.close()
