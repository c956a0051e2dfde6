"""The manual test form and the start of a manual run in a real Chromium (prod build): alice
writes a manual test from "New manual test" on the Tests page, edits it (version 2) and sees the
diff; the automated editor sends a manual test to its form; she starts a manual run of the
"smoke" tag with bob assigned and lands on the run; the pages fit a 390 px screen."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.manual.manual_support import seed_team
from tests.support.browser_pages import PHONE, assert_fits, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app"),
              pytest.mark.usefixtures("patient_expect")]

LOAD = 60_000


def _seed(app_server) -> tuple[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    team = seed_team(app_server)
    return team["alice_email"], {"project": str(team["project"].id), "bob": team["bob_email"]}


def test_alice_writes_a_manual_test_and_starts_a_run(app_server, app_db, chromium) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.services.catalog import test_cases

    alice_email, ids = _seed(app_server)
    page = signed_in_page(app_server, chromium, "Manual", email=alice_email)
    page.goto(f"/projects/{ids['project']}")
    new_manual = page.get_by_role("link", name="New manual test")
    expect(new_manual).to_be_visible(timeout=LOAD)
    new_manual.click()
    expect(page.get_by_role("heading", name="New manual test")).to_be_visible(timeout=LOAD)
    page.get_by_label("Name", exact=True).fill("Refund an order")
    page.get_by_label("Preconditions").fill("An order was paid")
    page.get_by_label("Tags").fill("smoke, payments")
    page.get_by_label("Step 1 action").fill("Open the order")
    page.get_by_label("Step 1 expected result").fill("The order shows")
    page.get_by_label("Step 2 action").fill("Click Refund")
    page.get_by_label("Step 2 test data").fill("amount 10.00")
    page.get_by_label("Step 2 expected result").fill("Refunded")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Refund an order")).to_be_visible(timeout=LOAD)
    test_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    case = test_cases.get_test_case(uuid.UUID(ids["project"]), test_id)
    assert (case.kind, case.version, case.preconditions) == ("manual", 1, "An order was paid")
    assert case.steps[1] == {"action": "Click Refund", "data": "amount 10.00", "expected": "Refunded"}

    # A new version and its diff.
    page.get_by_label("Step 2 expected result").fill("Refunded, and the customer gets an e-mail")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved as version 2")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^v2 ·")).click()
    diff = page.locator("#manual-diff")
    expect(diff).to_contain_text("v1 -> v2: 1 step changed")
    expect(diff).to_contain_text("~ step 2 Click Refund")
    expect(diff).to_contain_text("expected: Refunded -> Refunded, and the customer gets an e-mail")

    # The automated editor sends a manual test to this form.
    page.goto(f"/tests/{test_id}")
    expect(page).to_have_url(f"{app_server.url}/projects/{ids['project']}/manual-tests/{test_id}", timeout=LOAD)

    # Start a run of the "smoke" tag with bob assigned (at phone width).
    phone = signed_in_page(app_server, chromium, "Manual", viewport=PHONE, email=alice_email)
    phone.goto(f"/projects/{ids['project']}/manual-runs")
    expect(phone.get_by_role("heading", name="Start manual run")).to_be_visible(timeout=LOAD)
    phone.get_by_label("Tags").fill("smoke")
    phone.get_by_role("button", name="Show tests").click()
    expect(phone.get_by_text("1 manual tests selected")).to_be_visible()
    phone.get_by_label("Assignee of Refund an order").select_option(label=ids["bob"])
    phone.get_by_label("Run name").fill("Sprint 12")
    phone.get_by_label("Environment").fill("staging")
    phone.get_by_label("Build").fill("12.0.1")
    assert_fits(phone)
    phone.get_by_role("button", name="Start manual run").click()
    expect(phone.get_by_role("heading", name="Sprint 12")).to_be_visible(timeout=LOAD)
    expect(phone.locator('.tiq-manual-test[data-test-name="Refund an order"]')).to_contain_text(
        f"assigned to {ids['bob']}")
    expect(phone.locator("#manual-progress")).to_have_text("0 / 1 tests complete (0%)")
    assert_fits(phone)
    page.context.close()
    phone.context.close()
