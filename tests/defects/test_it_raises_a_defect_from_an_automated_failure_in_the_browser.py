"""In Chromium against the running app: from a failed test on its run page, one click opens a
prefilled defect (steps to reproduce, expected vs actual, environment, browser, build); the
next failure of the same cluster attaches itself when its run closes (occurrence count 2); a
later failure offers "Attach to DEF-1" instead of a new defect; after FIXED, one more failure
flags the defect "recurred"."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from tests.accounts.conftest import seed_live_cast
from tests.accounts.matrix_support import session_cookie
from tests.analytics.history import History, Outcome
from traceiq_app.db import get_engine
from traceiq_app.models import Project, ResultFact

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("app"),
              pytest.mark.usefixtures("patient_expect")]

TIMEOUT = 90_000
BROKEN = Outcome("failed", error="Timeout 5000ms exceeded waiting for locator('#pay')", step=("click", "#pay"))


def _result(run_id) -> str:  # type: ignore[no-untyped-def]
    with Session(get_engine()) as s:
        return str(s.exec(select(ResultFact).where(ResultFact.run_id == run_id)).one().test_result_id)


def test_it_raises_attaches_and_flags_recurrence(live, chromium) -> None:  # type: ignore[no-untyped-def]
    cast = seed_live_cast()
    with Session(get_engine(), expire_on_commit=False) as s:
        project = s.get(Project, cast.project_id)
    h = History(SimpleNamespace(project=project))
    first = h.run({"Checkout pays by card": BROKEN}, branch="release-7", commit_sha="abc1234def")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "tiq_session", "value": session_cookie(cast.alice_id), "url": live.url}])
    page = context.new_page()
    try:
        page.goto(f"{live.url}/runs/{first.id}")
        raise_button = page.get_by_role("link", name="Raise a defect for Checkout pays by card")
        expect(raise_button).to_be_visible(timeout=TIMEOUT)
        raise_button.click()
        page.wait_for_url(re.compile(r"/defects/new\?from_result="), timeout=TIMEOUT)
        expect(page.locator("#defect-title")).to_have_value("Checkout pays by card fails at step 1", timeout=TIMEOUT)
        description = page.locator("#defect-description")
        for part in ("## Steps to reproduce", "## Expected", "## Actual", "Timeout 5000ms exceeded",
                     "Browser: chromium", "release-7 @ abc1234def", f"Run: /runs/{first.id}"):
            expect(description).to_have_value(re.compile(re.escape(part)))
        expect(page.locator("#attach-offer")).to_have_count(0)
        page.locator("#defect-severity").select_option("critical")
        page.get_by_role("button", name="Raise defect").click()
        page.wait_for_url(re.compile(r"/defects/DEF-1$"), timeout=TIMEOUT)
        expect(page.locator("#defect-occurrences")).to_have_text("1", timeout=TIMEOUT)
        expect(page.locator("#defect-description-html h2").first).to_have_text("Steps to reproduce")

        h.run({"Checkout pays by card": BROKEN})  # the same cluster fails again: attached when the run closes
        page.reload()
        expect(page.locator("#defect-occurrences")).to_have_text("2", timeout=TIMEOUT)
        expect(page.locator("[data-occurrence]")).to_have_count(2)

        third = h.run({"Checkout pays by card": BROKEN})
        page.goto(f"{live.url}/projects/{cast.project_id}/defects/new?from_result={_result(third.id)}")
        expect(page.get_by_role("button", name="Attach to DEF-1")).to_be_visible(timeout=TIMEOUT)
        page.get_by_role("button", name="Attach to DEF-1").click()
        page.wait_for_url(re.compile(r"/defects/DEF-1$"), timeout=TIMEOUT)
        expect(page.locator("#defect-occurrences")).to_have_text("3", timeout=TIMEOUT)  # counted once
        expect(page.locator("#defect-recurred")).to_have_count(0)

        # assign bob, then IN PROGRESS -> FIXED
        page.get_by_text("Edit fields").click()
        page.locator("#edit-assignee").select_option(label="Bob")
        page.locator("#defect-save").click()
        expect(page.locator("#defect-assignee")).to_contain_text("Bob", timeout=TIMEOUT)
        for status in ("in_progress", "fixed"):
            page.locator(f"[data-move={status}]").click()
            expect(page.locator(f"#defect-key ~ [data-status={status}]")).to_be_visible(timeout=TIMEOUT)

        h.run({"Checkout pays by card": BROKEN})  # the fix did not hold
        page.reload()
        expect(page.locator("#defect-recurred")).to_be_visible(timeout=TIMEOUT)
        expect(page.locator("#defect-occurrences")).to_have_text("4")
        expect(page.locator("#defect-history tr[data-history-field=recurred]")).to_have_count(1)

        page.goto(f"{live.url}/projects/{cast.project_id}/defects")
        row = page.locator("tr[data-defect='DEF-1']")
        expect(row).to_be_visible(timeout=TIMEOUT)
        expect(row).to_contain_text("recurred")
        expect(row).to_contain_text("critical")
    finally:
        context.close()
