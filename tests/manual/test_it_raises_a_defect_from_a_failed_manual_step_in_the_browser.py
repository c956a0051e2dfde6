"""From a manual run to a tracked defect in Chromium against the real app: alice fails a step
with a note, follows its "Raise defect" link, finds the form filled in (title, steps to
reproduce, expected vs actual, environment, build), raises DEF-1, and moves it through the whole
workflow including a reopen; the defect keeps the manual step it came from and its history lists
every move with who."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from tests.manual.manual_support import seed_run
from tests.support.browser_pages import new_owner, signed_in_page
from tests.support.webapp import principal_of

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app"),
              pytest.mark.usefixtures("patient_expect")]

LOAD = 60_000
PATH = ["in_progress", "fixed", "awaiting_verification", "reopened", "in_progress", "fixed",
        "awaiting_verification", "verified_fixed", "closed"]


def _step(page: Page, index: int):  # type: ignore[no-untyped-def]
    return page.locator(f'.tiq-manual-step[data-step-index="{index}"]')


def test_it_raises_a_defect_from_a_failed_manual_step(app_server, app_db, chromium) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_project
    from traceiq_app.db import get_engine
    from traceiq_app.models import Defect

    with Session(get_engine(), expire_on_commit=False) as s:
        email, alice, org = new_owner(app_server, s, "Mandef")
        project = make_project(s, org, f"Shop {uuid.uuid4().hex[:4]}", owner=alice)
        s.commit()
    run = seed_run(project.id, principal_of(alice))
    page = signed_in_page(app_server, chromium, "", email=email)

    page.goto(f"/manual-runs/{run.id}")
    expect(page.get_by_role("heading", name="Release 2.4")).to_be_visible(timeout=LOAD)
    page.keyboard.press("p")
    expect(_step(page, 0)).to_have_attribute("data-step-status", "passed")
    page.locator("#manual-note").fill("Cart shows 0 items")
    page.get_by_role("button", name="Mark step fail").click()
    expect(_step(page, 1)).to_have_attribute("data-step-status", "failed")

    _step(page, 1).locator("a.tiq-raise-defect").click()
    page.wait_for_url(re.compile(r"/defects/new\?"), timeout=LOAD)
    expect(page.locator("#defect-title")).to_have_value("Checkout by card: step 2 failed — Add a mug to the cart",
                                                        timeout=LOAD)
    description = page.locator("#defect-description")
    for part in ("## Steps to reproduce", "## Expected", "The cart shows 1 item", "## Actual", "Cart shows 0 items",
                 "- Environment: staging", "- Build: 2.4.0-rc1"):
        expect(description).to_contain_text(part)
    page.locator("#defect-assignee_id").select_option(index=1)  # alice takes it: NEW -> ASSIGNED
    page.get_by_role("button", name="Raise defect").click()
    page.wait_for_url(re.compile(r"/defects/DEF-1$"), timeout=LOAD)
    expect(page.locator("#defect-key")).to_have_text("DEF-1", timeout=LOAD)

    for status in PATH:
        page.locator(f"[data-move={status}]").click()
        expect(page.locator(f"#defect-key ~ [data-status={status}]")).to_be_visible(timeout=LOAD)
    rows = page.locator("#defect-history tbody tr[data-history-field=status]")
    expect(rows).to_have_count(1 + len(PATH))
    moves = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
    assert [m[4] for m in moves] == ["ASSIGNED"] + [m.replace("_", " ").upper() for m in PATH]
    who = {m[1] for m in moves}
    assert len(who) == 1 and who.pop().strip(), moves  # alice, every time

    with Session(get_engine()) as s:
        defect = s.exec(select(Defect).where(Defect.project_id == project.id)).one()
        assert str(getattr(defect.status, "value", defect.status)) == "closed"
        assert "manual_result" in str(defect.source), defect.source
