"""A manual run in a real Chromium against the real app (prod build): alice steps through
"Checkout by card" (pass by key, a note and a pasted screenshot on the failing step, block by
key), bob marks "Sign in" at the same time from a second browser context on a phone-sized
screen, and each sees the other's results live; alice leaves and comes back to find everything
kept; a concurrent edit of the same step is refused with a clear message; the failed step links
to a pre-filled defect form."""

from __future__ import annotations

import base64
import uuid
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from tests.manual.manual_support import PNG, seed_run, seed_team
from tests.support.browser_pages import PHONE, assert_fits, signed_in_page
from tests.support.webapp import principal_of

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app"),
              pytest.mark.usefixtures("patient_expect")]

LOAD = 60_000

PASTE_JS = """(b64) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const file = new File([bytes], 'image.png', {type: 'image/png'});
  const data = new DataTransfer();
  data.items.add(file);
  const event = new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true});
  document.querySelector('#manual-note').dispatchEvent(event);
}"""


def _seed(app_server) -> tuple[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    team = seed_team(app_server)
    run = seed_run(team["project"].id, principal_of(team["alice"]), team["bob"].id)
    return team["alice_email"], {"project": str(team["project"].id), "run": str(run.id), "bob": team["bob_email"],
                                 "alice_id": str(team["alice"].id)}


def _row(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(f'.tiq-manual-test[data-test-name="{name}"]')


def _step(page: Page, index: int):  # type: ignore[no-untyped-def]
    return page.locator(f'.tiq-manual-step[data-step-index="{index}"]')


def test_two_testers_walk_one_manual_run(app_server, app_db, chromium) -> None:  # type: ignore[no-untyped-def]
    alice_email, ids = _seed(app_server)
    run_url = f"/manual-runs/{ids['run']}"
    alice = signed_in_page(app_server, chromium, "Manual", email=alice_email)
    bob = signed_in_page(app_server, chromium, "Manual", viewport=PHONE, email=ids["bob"])

    alice.goto(run_url)
    expect(alice.get_by_role("heading", name="Release 2.4")).to_be_visible(timeout=LOAD)
    expect(_row(alice, "Checkout by card")).to_have_attribute("data-current", "true")
    expect(alice.get_by_text("Preconditions: A customer account exists")).to_be_visible()
    bob.goto(run_url)
    expect(bob.get_by_role("heading", name="Release 2.4")).to_be_visible(timeout=LOAD)

    # alice: step 1 passes by key.
    alice.keyboard.press("p")
    expect(_step(alice, 0)).to_have_attribute("data-step-status", "passed")
    expect(_step(alice, 1)).to_have_attribute("data-current", "true")

    # bob, at the same time, goes to the next test (j) and passes both of its steps by key.
    bob.keyboard.press("j")
    expect(_row(bob, "Sign in")).to_have_attribute("data-current", "true")
    bob.keyboard.press("p")
    expect(_step(bob, 0)).to_have_attribute("data-step-status", "passed")
    bob.keyboard.press("p")
    expect(_row(bob, "Sign in")).to_have_attribute("data-outcome", "passed")
    # ...and alice sees it live, without reloading.
    expect(_row(alice, "Sign in")).to_have_attribute("data-outcome", "passed")
    expect(alice.locator("#manual-progress")).to_have_text("1 / 2 tests complete (50%)")

    # alice: step 2 gets a note and a pasted screenshot, then fails.
    alice.locator("#manual-note").fill("Cart shows 0 items")
    alice.evaluate(PASTE_JS, base64.b64encode(PNG).decode())
    expect(_step(alice, 1).locator("img.tiq-manual-thumb")).to_be_visible()
    alice.get_by_role("button", name="Mark step fail").click()
    expect(_step(alice, 1)).to_have_attribute("data-step-status", "failed")
    expect(_step(alice, 1).get_by_text("Actual: Cart shows 0 items")).to_be_visible()
    # step 3 is blocked by key.
    expect(_step(alice, 2)).to_have_attribute("data-current", "true")
    alice.keyboard.press("b")
    expect(_step(alice, 2)).to_have_attribute("data-step-status", "blocked")
    expect(alice.locator("#manual-test-outcome")).to_have_text("failed")  # any failed -> failed
    expect(alice.locator("#manual-progress")).to_have_text("2 / 2 tests complete (100%)")
    # bob sees alice's results live.
    expect(_row(bob, "Checkout by card")).to_have_attribute("data-outcome", "failed")
    expect(bob.locator("#manual-progress")).to_have_text("2 / 2 tests complete (100%)")
    assert_fits(bob)

    # The failed step links to a pre-filled defect form.
    href = _step(alice, 1).locator("a.tiq-raise-defect").get_attribute("href")
    assert href is not None and href.startswith(f"/projects/{ids['project']}/defects/new?")
    query = parse_qs(urlparse(href).query)
    assert query["title"] == ["Checkout by card: step 2 failed — Add a mug to the cart"]
    description = query["description"][0]
    for part in ("## Steps to reproduce", "1. Open the shop", "2. Add a mug to the cart (data: mug, qty 1)",
                 "## Expected", "The cart shows 1 item", "## Actual", "Cart shows 0 items",
                 "- Environment: staging", "- Build: 2.4.0-rc1", "/api/manual/attachments/"):
        assert part in description, (part, description)
    assert len(query["manual_result"][0]) == 36

    # alice leaves and comes back: everything is kept.
    alice.goto(f"/projects/{ids['project']}/suites")
    alice.goto(run_url)
    expect(alice.get_by_role("heading", name="Release 2.4")).to_be_visible(timeout=LOAD)
    expect(_step(alice, 1)).to_have_attribute("data-step-status", "failed")
    expect(_step(alice, 1).get_by_text("Actual: Cart shows 0 items")).to_be_visible()
    expect(_step(alice, 1).locator("img.tiq-manual-thumb")).to_be_visible()
    expect(_step(alice, 1).locator(".tiq-manual-by")).to_contain_text(f"failed by {alice_email}")
    image = alice.request.get(_step(alice, 1).locator("a.tiq-manual-attachment").get_attribute("href") or "")
    assert image.ok and image.body() == PNG
    expect(alice.locator("#manual-activity")).to_contain_text(f"{ids['bob']} marked step 2 of 'Sign in' passed")

    # A concurrent edit of one step: bob has step 3 of Checkout open; alice's write lands first
    # (its live event not delivered yet); bob's write is refused, never overwriting hers.
    bob.keyboard.press("k")
    expect(_row(bob, "Checkout by card")).to_have_attribute("data-current", "true")
    _step(bob, 2).get_by_text("Pay by card").click()
    expect(_step(bob, 2)).to_have_attribute("data-current", "true")
    _write_quietly(ids, step_index=2, status="retest")
    bob.get_by_role("button", name="Mark step pass").click()
    conflict = bob.locator("#manual-conflict")
    expect(conflict).to_contain_text(f"Step 3 of 'Checkout by card' was just marked retest by {alice_email}")
    expect(conflict).to_contain_text("your change was not saved")
    expect(_step(bob, 2)).to_have_attribute("data-step-status", "retest")
    alice.context.close()
    bob.context.close()


def _write_quietly(ids: dict[str, str], *, step_index: int, status: str) -> None:
    """alice's write through the service, with its live event held back (as if still in flight)."""
    from traceiq_app.db import get_engine
    from traceiq_app.models import ManualRunTest, ManualStepResult, User
    from traceiq_app.services.manual import runs

    with Session(get_engine()) as s:
        alice = s.get(User, uuid.UUID(ids["alice_id"]))
        test = s.exec(select(ManualRunTest).where(ManualRunTest.run_id == uuid.UUID(ids["run"]),
                                                  ManualRunTest.name == "Checkout by card")).one()
        row = s.exec(select(ManualStepResult).where(ManualStepResult.run_test_id == test.id,
                                                    ManualStepResult.step_index == step_index)).one()
        assert alice is not None
        principal = principal_of(alice)
    original = runs.live_events.publish
    runs.live_events.publish = lambda *a, **k: None  # type: ignore[assignment]
    try:
        runs.record_step(uuid.UUID(ids["project"]), uuid.UUID(ids["run"]), row.id, principal, status=status,
                         expected_version=row.version)
    finally:
        runs.live_events.publish = original  # type: ignore[assignment]
