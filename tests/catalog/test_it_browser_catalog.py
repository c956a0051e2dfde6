"""The catalog in a real Chromium against the real app (prod build): create a project, a folder
and a test in the editor (with an invalid step caught inline), save, edit, compare versions,
restore; import a Chrome Recorder flow through the preview; keep secrets write-only.
(The README's screenshots come from test_it_walks_through_the_whole_app.py only.)"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app")]

REPO = Path(__file__).resolve().parents[2]
RECORDER = REPO / "tests" / "fixture_recorder" / "unsupported_custom_step.json"
PASSWORD = "correct horse battery staple 42"
TIMEOUT = 30_000  # as the other browser tests: under a full parallel run a frontend build can share the CPU


def _signed_in_page(app_server, chromium, org: str) -> Page:  # type: ignore[no-untyped-def]
    email = f"owner-{uuid.uuid4().hex[:8]}@{org.lower()}.test"
    subprocess.run(
        [str(Path(sys.executable).parent / "traceiq"), "admin", "create-user", "--email", email, "--password",
         PASSWORD, "--org", f"{org} {uuid.uuid4().hex[:4]}"],
        cwd=app_server.dir, env=app_server.env, check=True, capture_output=True, timeout=120,
    )
    context = chromium.new_context(viewport={"width": 1440, "height": 1000}, base_url=app_server.url)
    response = context.request.post("/api/auth/login", data={"email": email, "password": PASSWORD},
                                    headers={"Origin": app_server.url})
    assert response.ok, response.text()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    return page


def _choose(page: Page, combobox, option: str) -> None:  # type: ignore[no-untyped-def]
    combobox.click()
    page.get_by_role("option", name=option, exact=True).click()


def _create_project_and_folder(page: Page, name: str) -> str:
    page.goto("/projects")
    expect(page.get_by_text("No projects yet")).to_be_visible()
    page.get_by_label("Project name").fill(name)
    page.get_by_role("button", name="Create project").click()
    page.wait_for_url(re.compile(r"/projects/[0-9a-f-]{36}$"))
    expect(page.get_by_text("This project is empty")).to_be_visible()
    page.get_by_label("New folder name").fill("Checkout")
    page.get_by_role("button", name="New folder", exact=True).click()
    expect(page.get_by_test_id("suite-Checkout")).to_be_visible()
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    return page.url.rsplit("/", 1)[1]


def _card(page: Page, index: int):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("step-card").nth(index)


def _add_step(page: Page, action: str):  # type: ignore[no-untyped-def]
    count = page.get_by_test_id("step-card").count()
    _choose(page, page.get_by_role("combobox", name="Action of the new step"), action)
    page.get_by_role("button", name="Add step").click()
    expect(page.get_by_test_id("step-card")).to_have_count(count + 1)
    return _card(page, count)


def test_it_writes_a_test_in_the_editor_then_versions_diffs_and_restores(app_server, chromium) -> None:  # type: ignore[no-untyped-def]
    page = _signed_in_page(app_server, chromium, "Acme")
    try:
        _editor_flow(page)
    except Exception:
        page.screenshot(path="/tmp/tiq-webapp-editor-failure.png", full_page=True)
        raise
    finally:
        page.context.close()


def _editor_flow(page: Page) -> None:
    pid = _create_project_and_folder(page, "Web shop")

    page.get_by_role("link", name="New test").click()
    page.wait_for_url(re.compile(rf"/projects/{pid}/tests/new\?suite="))
    page.get_by_label("Test name").fill("Sign in")
    goto = _card(page, 0)
    goto.get_by_label("URL").fill("/login")

    fill = _add_step(page, "fill")
    fill.get_by_label("Locator value").fill("#email")
    fill.get_by_label("Value", exact=True).fill("alice@acme.test")
    click = _add_step(page, "click")
    _choose(page, click.get_by_label("Locator kind"), "role")
    click.get_by_label("Locator value").fill("button")
    click.get_by_label("Accessible name").fill("Sign in")
    click.get_by_role("button", name="Add a fallback").click()
    click.get_by_label("Locator value").nth(1).fill("#submit")
    check = _add_step(page, "assert_text")
    check.get_by_label("Locator value").fill("h1")
    check.get_by_label("Expected", exact=True).fill("Welcome")

    # a new blank step shows no errors until touched; a save attempt flags it inline
    bad = _add_step(page, "goto")
    expect(bad.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_test_id("problems-pending")).to_be_visible()
    page.get_by_role("button", name="Create test").click()
    expect(page.get_by_text(re.compile("Not saved"))).to_be_visible()
    expect(bad.get_by_role("alert").filter(has_text="required")).to_be_visible()
    expect(page.get_by_test_id("problems")).to_contain_text("1 problem")
    assert "/tests/new" in page.url
    bad.get_by_role("button", name="Delete step").click()
    expect(page.get_by_test_id("step-card")).to_have_count(4)
    expect(page.get_by_text("Every field is valid.")).to_be_visible()

    # keyboard reorder: Alt+ArrowUp on the assert step's header moves it above the click
    _card(page, 3).get_by_role("group").focus()
    page.keyboard.press("Alt+ArrowUp")
    expect(_card(page, 2).get_by_role("group")).to_have_attribute("aria-label", re.compile("assert_text"))
    expect(_card(page, 2).get_by_role("group")).to_be_focused()  # focus follows the moved step
    page.keyboard.press("Alt+ArrowDown")
    expect(_card(page, 3).get_by_role("group")).to_have_attribute("aria-label", re.compile("assert_text"))

    page.get_by_role("button", name="Create test").click()
    page.wait_for_url(re.compile(r"/tests/[0-9a-f-]{36}$"))
    expect(page.get_by_text("version 1", exact=True)).to_be_visible()
    expect(page.get_by_label("URL").first).to_have_value("/login")

    # edit -> version 2, readable diff
    page.get_by_label("URL").first.fill("/signin")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("version 2", exact=True)).to_be_visible()
    expect(page.get_by_test_id("diff-summary")).to_contain_text("v1 → v2: 1 step changed")
    row = page.get_by_test_id("diff-row").first
    expect(row).to_contain_text("Changed step 1: goto /signin")
    expect(row).to_contain_text("/login")
    page.get_by_role("tab", name="Effective settings").click()
    expect(page.get_by_test_id("settings-table")).to_contain_text("default")
    page.get_by_role("tab", name="History").click()

    # restore version 1 as version 3
    page.get_by_role("button", name="Restore version 1").click()
    expect(page.get_by_text("version 3", exact=True)).to_be_visible()
    expect(page.get_by_label("URL").first).to_have_value("/login")

    page.goto(f"/projects/{pid}")
    page.get_by_test_id("suite-Checkout").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.goto("/projects")
    expect(page.get_by_role("link", name=re.compile("Open project Web shop"))).to_be_visible()


def test_it_imports_a_recorder_flow_through_a_preview(app_server, chromium) -> None:  # type: ignore[no-untyped-def]
    page = _signed_in_page(app_server, chromium, "Initech")
    try:
        _import_flow(page)
    except Exception:
        page.screenshot(path="/tmp/tiq-webapp-import-failure.png", full_page=True)
        raise
    finally:
        page.context.close()


def _import_flow(page: Page) -> None:
    pid = _create_project_and_folder(page, "Portal")
    page.goto(f"/projects/{pid}/import")
    page.locator("input[type=file]").set_input_files(str(RECORDER))
    expect(page.get_by_text("Chrome Recorder flow")).to_be_visible()
    understood = page.get_by_test_id("understood")
    expect(understood).to_contain_text("steps[0] (navigate)")
    expect(understood).to_contain_text("steps[1] (click)")
    expect(page.get_by_test_id("not-understood")).to_contain_text("customStep")
    page.get_by_role("button", name="Save as test").click()
    page.wait_for_url(re.compile(r"/tests/[0-9a-f-]{36}$"))
    expect(page.get_by_label("Test name")).to_have_value("Uses a custom step")
    expect(page.get_by_test_id("step-card")).to_have_count(3)  # all but the custom step

    # environments: secrets are write-only
    page.goto(f"/projects/{pid}/environments")
    expect(page.get_by_text("No environments yet")).to_be_visible()
    page.get_by_label("Environment name").fill("staging")
    page.get_by_label("Base URL").fill("https://staging.portal.test")
    page.get_by_label("Variables").fill("USER=qa")
    page.get_by_label("Secrets").fill("PASSWORD=hunter2-top-secret")
    page.get_by_role("button", name="Create environment").click()
    expect(page.get_by_test_id("secret-names")).to_contain_text("PASSWORD")
    assert "hunter2" not in page.content()
    page.reload()
    expect(page.get_by_test_id("secret-names")).to_contain_text("PASSWORD")
    assert "hunter2" not in page.content()
