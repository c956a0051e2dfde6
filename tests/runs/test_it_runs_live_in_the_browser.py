"""Runs in a real Chromium against the real app (prod build) with real `traceiq worker`
processes sharing its database and Redis, on a local fixture site: start a run from the
dialog, watch the live page turn tests green/red, reload mid-run without losing or doubling
anything, open the failing test's trace in the in-app trace viewer, rerun the failed test,
cancel a long run. (The README's screenshots come from test_it_walks_through_the_whole_app.py.)"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from tests.support.processes import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app"),
              pytest.mark.usefixtures("patient_expect")]

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple 42"
BIN = Path(sys.executable).parent
TIMEOUT = 30_000




def _seed(email: str, site: str) -> dict[str, str]:
    from tests.factories import make_project, make_test_case
    from traceiq_app.db import get_engine
    from traceiq_app.models import Organization, OrganizationMember, User

    with Session(get_engine(), expire_on_commit=False) as s:
        user = s.exec(select(User).where(User.email == email)).one()
        member = s.exec(select(OrganizationMember).where(OrganizationMember.user_id == user.id)).one()
        org = s.get(Organization, member.org_id)
        assert org is not None
        project = make_project(s, org, f"Shop {uuid.uuid4().hex[:4]}", owner=user,
                               settings={"base_url": site, "step_timeout_ms": 1500})
        ok = make_test_case(s, project, "Home page", steps=[
            {"action": "goto", "url": "/"},
            {"action": "assert_title", "expected": "Runs home", "match": "contains"},
            {"action": "click", "target": {"css": "#btn"}},
        ])
        bad = make_test_case(s, project, "Broken title", steps=[
            {"action": "goto", "url": "/"},
            {"action": "assert_title", "expected": "Nope", "match": "exact"},
            {"action": "click", "target": {"css": "#btn"}},
        ])
        slow = make_test_case(s, project, "Slow wait", steps=[
            {"action": "goto", "url": "/"},
            {"action": "wait_for", "ms": 60_000},
        ])
        s.commit()
        return {"project": str(project.id), "ok": str(ok.id), "bad": str(bad.id), "slow": str(slow.id)}


def _signed_in(app_server, chromium) -> tuple[Page, str]:  # type: ignore[no-untyped-def]
    email = f"runner-{uuid.uuid4().hex[:8]}@runs.test"
    subprocess.run(
        [str(BIN / "traceiq"), "admin", "create-user", "--email", email, "--password", PASSWORD,
         "--org", f"Runs {uuid.uuid4().hex[:4]}"],
        cwd=app_server.dir, env=app_server.env, check=True, capture_output=True, timeout=120,
    )
    context = chromium.new_context(viewport={"width": 1440, "height": 1000}, base_url=app_server.url)
    response = context.request.post("/api/auth/login", data={"email": email, "password": PASSWORD},
                                    headers={"Origin": app_server.url})
    assert response.ok, response.text()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    return page, email


def _start_from_dialog(page: Page, pid: str, tests: list[str]) -> str:
    page.goto(f"/projects/{pid}/runs")
    page.get_by_role("button", name="Run tests").click()
    dialog = page.get_by_role("dialog")
    for name in tests:
        dialog.get_by_label(name, exact=True).check()
    _choose(page, "Video", "On failure")
    dialog.get_by_role("button", name="Start run").click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}$"))
    return page.url.rsplit("/", 1)[-1]


def _choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a Radix select (the runs filters)."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def _cards(page: Page) -> Any:
    return page.locator("[data-test-id]")


def test_runs_live_page_end_to_end(app_server, chromium, runs_site, worker) -> None:  # type: ignore[no-untyped-def]
    site = runs_site
    page, email = _signed_in(app_server, chromium)
    ids = _seed(email, site)
    pid = ids["project"]

    # Start from the dialog; the live page fills in as the worker reports.
    run_id = _start_from_dialog(page, pid, ["Home page", "Broken title"])
    expect(_cards(page)).to_have_count(2, timeout=TIMEOUT)
    ok_card = page.locator("[data-test-id]", has_text="Home page")
    bad_card = page.locator("[data-test-id]", has_text="Broken title")
    # Reload mid-run (as soon as something ran): replaying the stream neither loses nor doubles.
    expect(page.locator("[data-step-status]").first).to_be_visible(timeout=60_000)
    page.reload()
    expect(_cards(page)).to_have_count(2, timeout=TIMEOUT)
    expect(page.locator("#run-status")).to_have_attribute("data-status", "failed", timeout=90_000)
    expect(ok_card).to_have_attribute("data-test-status", "passed")
    expect(bad_card).to_have_attribute("data-test-status", "failed")
    expect(ok_card.locator("[data-step-status=passed]")).to_have_count(3)
    expect(bad_card.locator("[data-step-status=failed]")).to_have_count(1)
    expect(bad_card.locator("[data-step-status]")).to_have_count(3)  # the click is skipped
    expect(page.locator("#run-progress-text")).to_contain_text("2 / 2 tests")
    # Failure screenshot inline, from the authorized artifact route.
    shot = bad_card.get_by_role("img")
    expect(shot).to_be_visible()
    assert shot.get_attribute("src", timeout=TIMEOUT).startswith("/api/v1/artifacts/")  # type: ignore[union-attr]
    wait_until(lambda: shot.evaluate("img => img.complete && img.naturalWidth > 0"), 10, what="screenshot")
    assert shot.bounding_box()["width"] <= 221  # type: ignore[index]  # a thumbnail, not the card's width
    bad_card.get_by_role("button", name=re.compile("Enlarge the failure screenshot")).click()
    lightbox = page.get_by_role("dialog")
    expect(lightbox.get_by_role("img")).to_be_visible()
    assert lightbox.get_by_role("img").bounding_box()["width"] > 300  # type: ignore[index]
    page.keyboard.press("Escape")
    expect(lightbox).to_have_count(0)
    page.locator("body").press("j")  # j / k: to the failed tests
    expect(bad_card).to_be_focused()
    expect(bad_card.locator("video")).to_have_count(1)
    page.reload()  # after the end: the same, once
    expect(_cards(page)).to_have_count(2, timeout=TIMEOUT)
    expect(bad_card.locator("[data-step-status]")).to_have_count(3)

    # The trace opens in the in-app viewer (our origin) and loads through the artifact route.
    with page.context.expect_page() as popup_info:
        bad_card.get_by_role("link", name=re.compile("Open trace")).click()
    viewer = popup_info.value
    viewer.set_default_timeout(30_000)
    viewer.wait_for_load_state()
    assert viewer.url.startswith(app_server.url + "/trace-viewer/index.html?trace=/api/v1/artifacts/")
    expect(viewer.locator(".action-title").first).to_be_visible()
    viewer.close()

    # Rerun failed: a new run of the failing test only. Right after the redirect the page still
    # shows the previous run (its state until the new run's load arrives): wait for the new
    # run's single card BEFORE reading the status, or "failed" is the old run's and the runs
    # list below is read while the rerun is still running.
    # Every DOM change from the click on records (path, run shown): the new run's URL must never
    # show the old run's status (the page blanks the old run before it redirects).
    page.evaluate("""() => {
        window.__shown = [];
        new MutationObserver(() => {
            const el = document.querySelector('#run-status');
            window.__shown.push([location.pathname, el ? el.dataset.runId : null]);
        }).observe(document.body, {subtree: true, childList: true, attributes: true});
    }""")
    page.get_by_role("button", name="Rerun failed").click()
    page.wait_for_url(re.compile(r"/runs/(?!" + run_id + r")[0-9a-f-]{36}$"))
    expect(_cards(page)).to_have_count(1, timeout=TIMEOUT)
    shown = page.evaluate("window.__shown")
    assert shown, "the observer saw nothing: the redirect reloaded the page?"
    assert not [p for p, rid in shown if p != f"/runs/{run_id}" and rid == run_id], shown[-5:]
    expect(page.locator("#run-status")).to_have_attribute("data-status", "failed", timeout=90_000)
    expect(page.locator("[data-test-id]", has_text="Broken title")).to_be_visible()

    # The runs list shows both runs; the status filter narrows it.
    page.goto(f"/projects/{pid}/runs")
    expect(page.locator("[data-run-id]")).to_have_count(2, timeout=TIMEOUT)
    _choose(page, "Status", "failed")  # applies at once, and the URL says so
    expect(page.locator("[data-run-id]")).to_have_count(2, timeout=TIMEOUT)
    page.wait_for_url(re.compile(r"/runs\?status=failed$"))
    page.reload()
    expect(page.get_by_role("combobox", name="Status")).to_have_text("failed")
    expect(page.locator("[data-run-id]")).to_have_count(2, timeout=TIMEOUT)
    _choose(page, "Status", "passed")
    expect(page.locator("[data-run-id]")).to_have_count(0, timeout=TIMEOUT)
    page.get_by_role("button", name="Clear").click()
    expect(page.locator("[data-run-id]")).to_have_count(2, timeout=TIMEOUT)

    # Cancel a long run.
    _start_from_dialog(page, pid, ["Slow wait"])
    slow = page.locator("[data-test-id]", has_text="Slow wait")
    expect(slow.locator("[data-step-status=running]")).to_have_count(1, timeout=60_000)
    page.get_by_role("button", name="Cancel run").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel run").click()  # asks first
    expect(page.locator("#run-status")).to_have_attribute("data-status", "cancelled", timeout=30_000)
    expect(slow).to_have_attribute("data-test-status", "cancelled", timeout=30_000)
    expect(page.get_by_test_id("cancelled-count")).to_have_text("1 cancelled")

    page.goto(f"/projects/{pid}/runs")
    expect(page.locator("[data-run-id]")).to_have_count(3, timeout=TIMEOUT)
    page.context.close()
