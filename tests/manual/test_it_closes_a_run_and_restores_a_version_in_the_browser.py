"""In a real Chromium (prod build): alice restores version 1 of a manual test from its history
(it comes back as version 3); she closes a manual run — the page shows who closed it, the mark
buttons go away and a mark key is refused with the message; the runs list shows it closed at
its % complete; reopening lets her mark again."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from tests.manual.manual_support import CHECKOUT
from tests.support.browser_pages import create_user, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app"),
              pytest.mark.usefixtures("patient_expect")]

LOAD = 60_000


def _seed(alice_email: str) -> dict[str, str]:
    from tests.factories import make_project
    from traceiq_app.db import get_engine
    from traceiq_app.models import Organization, OrganizationMember, User
    from traceiq_app.services.catalog import manual_cases
    from traceiq_app.services.manual import runs
    from traceiq_app.services.platform.permissions import Principal

    with Session(get_engine(), expire_on_commit=False) as s:
        alice = s.exec(select(User).where(User.email == alice_email)).one()
        member = s.exec(select(OrganizationMember).where(OrganizationMember.user_id == alice.id)).one()
        org = s.get(Organization, member.org_id)
        assert org is not None
        project = make_project(s, org, f"Shop {uuid.uuid4().hex[:4]}", owner=alice)
        s.commit()
    case = manual_cases.create_manual_case(project.id, "Checkout by card", CHECKOUT, tags=["smoke"],
                                           author_id=alice.id)
    manual_cases.update_manual_case(project.id, case.id, name="Checkout (card)", steps=CHECKOUT[:2],
                                    tags=["smoke"], author_id=alice.id)
    run = runs.start_run(project.id, Principal(user_id=alice.id, email=alice.email), name="Sprint 12",
                         tags=["smoke"])
    return {"project": str(project.id), "test": str(case.id), "run": str(run.id)}


def test_alice_restores_a_version_and_closes_a_run(app_server, app_db, chromium) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.services.catalog import manual_cases

    alice_email = create_user(app_server, "Closer")
    ids = _seed(alice_email)
    page = signed_in_page(app_server, chromium, "Closer", email=alice_email)

    page.goto(f"/projects/{ids['project']}/manual-tests/{ids['test']}")
    expect(page.get_by_role("heading", name="Checkout (card)")).to_be_visible(timeout=LOAD)
    expect(page.get_by_role("button", name="Restore version 2")).to_have_count(0)  # the current one
    page.get_by_role("button", name="Restore version 1").click()
    expect(page.get_by_text("Version 1 restored as version 3")).to_be_visible()
    expect(page.get_by_role("heading", name="Checkout by card")).to_be_visible()
    case = manual_cases.get_manual_case(uuid.UUID(ids["project"]), ids["test"])
    assert (case.version, case.name, len(case.steps)) == (3, "Checkout by card", 3)

    page.goto(f"/manual-runs/{ids['run']}")
    expect(page.get_by_role("heading", name="Sprint 12")).to_be_visible(timeout=LOAD)
    expect(page.locator("#manual-run-status")).to_have_text("open")
    page.get_by_role("button", name="Mark step pass").click()
    expect(page.locator(".tiq-manual-step").first).to_have_attribute("data-step-status", "passed")
    page.get_by_role("button", name="Close run").click()
    expect(page.locator("#manual-run-status")).to_have_text("closed")
    expect(page.locator("#manual-run-closed-by")).to_contain_text(f"closed by {alice_email}")
    expect(page.get_by_role("button", name="Mark step pass")).to_have_count(0)
    page.locator("body").press("f")  # the key still reaches the server, which refuses it
    expect(page.get_by_text(re.compile(rf"This manual run was closed by {re.escape(alice_email)}"))).to_be_visible()
    expect(page.locator(".tiq-manual-step").nth(1)).to_have_attribute("data-step-status", "untested")

    page.goto(f"/projects/{ids['project']}/manual-runs")
    listed = page.locator(".tiq-manual-run-link", has_text="Sprint 12")
    expect(listed.locator(".tiq-manual-run-status")).to_have_text("closed", timeout=LOAD)
    expect(listed).to_contain_text("0 / 1 complete (0%)")
    expect(listed).to_contain_text(f"closed by {alice_email}")

    page.goto(f"/manual-runs/{ids['run']}")
    page.get_by_role("button", name="Reopen run").click(timeout=LOAD)
    expect(page.locator("#manual-run-status")).to_have_text("open")
    page.locator(".tiq-manual-step").nth(1).get_by_text("Add a mug to the cart").click()
    expect(page.locator(".tiq-manual-step").nth(1)).to_have_attribute("data-current", "true")
    page.get_by_role("button", name="Mark step pass").click()
    expect(page.locator(".tiq-manual-step").nth(1)).to_have_attribute("data-step-status", "passed")
    page.context.close()
