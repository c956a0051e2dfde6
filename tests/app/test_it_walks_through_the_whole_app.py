"""The whole app as a user goes through it, in ONE flow in a real Chromium against the real app
(prod build) with a real `traceiq worker` process, through the UI only (the first account is
made with `traceiq admin create-user`, as an operator would):

sign in -> create a project -> an environment pointing at a local fixture site -> a folder and
a test written in the editor -> a Chrome Recorder flow imported into the folder -> "Run this
folder" from the project page's run dialog -> the live page turns steps green/red while we
watch -> the failing test's trace in the in-app trace viewer -> "Rerun failed" -> a long run
started from the project page and cancelled -> the runs list and its status filter.

Saves a screenshot of each main page under docs/screenshots/ (shown in README.md). A failing
run's report ends with the app's and the worker's logs (tests/support/webapp.py)."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.support.browser_pages import LAPTOP, PHONE, assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app"),
              pytest.mark.usefixtures("patient_expect")]

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "docs" / "screenshots"
RECORDER = REPO / "tests" / "fixture_recorder" / "fails_missing_element.json"
RECORDED_ORIGIN = "http://localhost:8000"  # what the recorder fixtures point at
PASSWORD = "correct horse battery staple 42"
TIMEOUT = 30_000
RUN_TIMEOUT = 120_000
UUID = r"[0-9a-f-]{36}"

# Records, from the page itself, every value the run status and the step list take: proof that
# the live page changed under our eyes (no reload) rather than showing a finished run at once.
# It survives Reflex's client-side navigations (same document).
WATCH_JS = """() => {
  window.__tiqSeen = {status: [], steps: []};
  const look = () => {
    const seen = window.__tiqSeen;
    const el = document.querySelector('#run-status');
    const status = el ? el.getAttribute('data-status') : null;
    if (status && seen.status[seen.status.length - 1] !== status) seen.status.push(status);
    const done = document.querySelectorAll('[data-step-status=passed],[data-step-status=failed]').length;
    if (seen.steps[seen.steps.length - 1] !== done) seen.steps.push(done);
  };
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, attributes: true,
                                                     attributeFilter: ['data-status', 'data-step-status']});
}"""




def _shot(page: Page, name: str, *, full_page: bool = True) -> None:
    """A README picture: the page without the toasts of the steps that led to it."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)  # let animations settle
    page.screenshot(path=str(SHOTS / name), full_page=full_page, style="[data-sonner-toaster] { display: none; }")


def _choose(page: Page, combobox: Locator, option: str) -> None:
    combobox.click()
    page.get_by_role("option", name=option, exact=True).click()


def _step(page: Page, index: int) -> Locator:
    return page.get_by_test_id("step-card").nth(index)


def _add_step(page: Page, action: str) -> Locator:
    count = page.get_by_test_id("step-card").count()
    _choose(page, page.get_by_role("combobox", name="Action of the new step"), action)
    page.get_by_role("button", name="Add step").click()
    expect(page.get_by_test_id("step-card")).to_have_count(count + 1)
    return _step(page, count)


def _id_in(url: str, segment: str) -> str:
    found = re.search(rf"/{segment}/({UUID})", url)
    assert found, url
    return found.group(1)


def _card(page: Page, test_name: str) -> Locator:
    return page.locator("[data-test-id]", has_text=test_name)


def _create_user(app_server: Any) -> str:
    email = f"qa-{uuid.uuid4().hex[:8]}@walkthrough.test"
    subprocess.run(
        [str(Path(sys.executable).parent / "traceiq"), "admin", "create-user", "--email", email, "--password",
         PASSWORD, "--org", f"Walkthrough {uuid.uuid4().hex[:4]}"],
        cwd=app_server.dir, env=app_server.env, check=True, capture_output=True, timeout=120,
    )
    return email


def _rebased_recording(site: str, folder: Path) -> Path:
    """The Recorder export as if recorded against the fixture site's real origin."""
    path = folder / RECORDER.name
    path.write_text(RECORDER.read_text().replace(RECORDED_ORIGIN, site))
    return path


def test_it_walks_through_the_whole_app(app_server, chromium, exec_site, worker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site = exec_site
    email = _create_user(app_server)
    context = chromium.new_context(viewport=LAPTOP, base_url=app_server.url)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    try:
        _walk(page, email, site, tmp_path)
        _phone_and_dark_shots(page)
    except Exception:
        failure = tmp_path / "failure.png"
        page.screenshot(path=str(failure), full_page=True)
        print(f"failure screenshot: {failure}\nlast URL: {page.url}")
        raise
    finally:
        context.close()


def _phone_and_dark_shots(page: Page) -> None:
    """The README's phone (390×844) and dark-mode pictures; every page fits a phone's width."""
    page.goto("/projects")
    page.get_by_role("link", name=re.compile("Open project Web shop")).click()
    page.wait_for_url(re.compile(rf"/projects/{UUID}/?$"))
    project = page.url.rstrip("/")
    page.goto(project + "/runs")
    expect(page.locator("[data-run-id]").first).to_be_visible()
    run = page.locator("[data-run-id]").first.get_attribute("data-run-id")
    pages = {"projects": "/projects", "project": project, "runs": project + "/runs", "run": f"/runs/{run}",
             "environments": project + "/environments"}
    page.set_viewport_size(PHONE)
    for name, url in pages.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        assert_fits(page)
        if name in ("project", "run", "runs"):
            _shot(page, f"phone-{name}.png", full_page=False)
    page.emulate_media(color_scheme="dark")
    for name in ("project", "run"):
        page.goto(pages[name])
        page.wait_for_load_state("networkidle")
        _shot(page, f"phone-dark-{name}.png", full_page=False)
    page.set_viewport_size(LAPTOP)
    for name in ("project", "run"):
        page.goto(pages[name])
        page.wait_for_load_state("networkidle")
        _shot(page, f"dark-{name}.png", full_page=False)
    page.emulate_media(color_scheme="light")


def _walk(page: Page, email: str, site: str, tmp_path: Path) -> None:
    # ---- sign in (the projects page sends us to the sign-in form and back) -----------------
    page.goto("/projects")
    page.wait_for_url(re.compile(r"/login\?next="))
    # The form posts `next` from the page's state: wait until the page has loaded it.
    expect(page.locator("input[name=next]")).to_have_value("/projects")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/projects/?$"))
    expect(page.get_by_text("No projects yet")).to_be_visible()

    # ---- a project, and an environment on the fixture site -----------------------------------
    page.get_by_label("Project name").fill("Web shop")
    page.get_by_role("button", name="Create project").click()
    page.wait_for_url(re.compile(rf"/projects/{UUID}/?$"))
    pid = _id_in(page.url, "projects")
    expect(page.get_by_text("This project is empty")).to_be_visible()

    page.get_by_role("link", name="Environments").click()
    page.wait_for_url(re.compile(rf"/projects/{pid}/environments/?$"))
    expect(page.get_by_text("No environments yet")).to_be_visible()
    page.get_by_label("Environment name").fill("local")
    page.get_by_label("Base URL").fill(site)
    page.get_by_label("Variables").fill("SHOP_USER=qa")
    page.get_by_label("Secrets").fill("SHOP_PASSWORD=never-shown-again-42")
    page.get_by_role("button", name="Create environment").click()
    expect(page.get_by_test_id("secret-names")).to_contain_text("SHOP_PASSWORD")
    assert "never-shown-again-42" not in page.content()
    _shot(page, "environments.png")

    # ---- a folder and a test written in the editor -----------------------------------------------
    page.get_by_role("link", name="Tests", exact=True).click()
    page.wait_for_url(re.compile(rf"/projects/{pid}/?$"))
    page.get_by_label("New folder name").fill("Checkout")
    page.get_by_role("button", name="New folder", exact=True).click()
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()

    page.get_by_role("link", name="New test").click()
    page.wait_for_url(re.compile(rf"/projects/{pid}/tests/new\?suite="))
    page.get_by_label("Test name").fill("Press the test button")
    page.get_by_label("Tags (comma separated)").fill("smoke")
    _step(page, 0).get_by_label("URL").fill("/index.html")  # relative: the environment's base URL
    click = _add_step(page, "click")
    click.get_by_label("Locator value").fill("#test")
    check = _add_step(page, "assert_text")
    check.get_by_label("Locator value").fill("#out")
    check.get_by_label("Expected", exact=True).fill("clicked test")
    expect(page.get_by_text("Every field is valid.")).to_be_visible()
    page.get_by_role("button", name="Create test").click()
    page.wait_for_url(re.compile(rf"/tests/{UUID}/?$"))
    expect(page.get_by_text("version 1", exact=True)).to_be_visible()
    _shot(page, "editor.png", full_page=False)  # the save bar is sticky

    # ---- a Chrome Recorder flow imported into the same folder ----------------------------------
    page.get_by_role("link", name="Web shop / Checkout").click()  # the editor's breadcrumb
    page.wait_for_url(re.compile(rf"/projects/{pid}/?\?suite="))
    expect(page.get_by_role("link", name="Press the test button")).to_be_visible()
    page.get_by_role("link", name="Import", exact=True).last.click()  # the folder's, not the tab
    page.wait_for_url(re.compile(rf"/projects/{pid}/import\?suite="))
    # The project's tabs appear once the page's state has loaded: a file chosen before the page is
    # live is not seen by its upload handler (the full suite under CI load showed no preview).
    expect(page.locator(f'a[href="/projects/{pid}/environments"]')).to_be_visible()
    page.locator("input[type=file]").set_input_files(str(_rebased_recording(site, tmp_path)))
    expect(page.get_by_text("Chrome Recorder flow")).to_be_visible()
    expect(page.get_by_test_id("understood")).to_contain_text("(navigate)")
    expect(page.get_by_text("Everything in the file was understood.")).to_be_visible()
    expect(page.get_by_role("combobox", name="Folder")).to_contain_text("Checkout")
    _shot(page, "import.png")
    page.get_by_role("button", name="Save as test").click()
    page.wait_for_url(re.compile(rf"/tests/{UUID}/?$"))
    expect(page.get_by_label("Test name")).to_have_value("Fails on a missing element")

    # ---- a second folder with a long test (to cancel later) ---------------------------------------
    page.get_by_role("link", name="Web shop / Checkout").click()
    page.wait_for_url(re.compile(rf"/projects/{pid}/?(\?.*)?$"))
    # "New folder" always makes a top-level folder, whichever folder is selected.
    page.get_by_label("New folder name").fill("Slow")
    page.get_by_role("button", name="New folder", exact=True).click()
    expect(page.get_by_role("heading", name="Slow")).to_be_visible()
    page.get_by_role("link", name="New test").click()
    page.wait_for_url(re.compile(rf"/projects/{pid}/tests/new\?suite="))
    page.get_by_label("Test name").fill("Waits a minute")
    _step(page, 0).get_by_label("URL").fill("/index.html")
    wait = _add_step(page, "wait_for")
    wait.get_by_label("Wait (ms)").fill("60000")
    expect(page.get_by_text("Every field is valid.")).to_be_visible()
    page.get_by_role("button", name="Create test").click()
    page.wait_for_url(re.compile(rf"/tests/{UUID}/?$"))

    # ---- run the Checkout folder from the project page ---------------------------------------------
    page.get_by_role("link", name="Web shop / Slow").click()
    page.wait_for_url(re.compile(rf"/projects/{pid}/?(\?.*)?$"))
    page.get_by_test_id("suite-Checkout").click()
    expect(page.get_by_role("link", name="Fails on a missing element")).to_be_visible()
    expect(page.get_by_role("link", name="Press the test button")).to_be_visible()
    _shot(page, "project.png")
    page.get_by_role("button", name="Run this folder").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Checkout", exact=True)).to_be_checked()  # ticked for us
    expect(dialog.get_by_label("Slow", exact=True)).not_to_be_checked()
    expect(dialog.get_by_label("chromium", exact=True)).to_be_checked()
    _choose(page, dialog.get_by_role("combobox", name="Environment"), "local")
    _choose(page, dialog.get_by_role("combobox", name="Video"), "Always")
    page.evaluate(WATCH_JS)
    dialog.get_by_role("button", name="Start run").click()
    page.wait_for_url(re.compile(rf"/runs/{UUID}/?$"))
    run_id = _id_in(page.url, "runs")

    # ---- the live page fills in as the worker reports ---------------------------------------------
    ok, bad = _card(page, "Press the test button"), _card(page, "Fails on a missing element")
    expect(page.locator("[data-test-id]")).to_have_count(2)
    expect(page.locator("#run-status")).to_have_attribute("data-status", "failed", timeout=RUN_TIMEOUT)
    expect(ok).to_have_attribute("data-test-status", "passed")
    expect(ok.locator("[data-step-status=passed]")).to_have_count(3)
    expect(bad).to_have_attribute("data-test-status", "failed")
    expect(bad.locator("[data-step-status=failed]")).to_have_count(1)
    expect(bad.locator("[data-step-status=passed]")).to_have_count(3)  # viewport, navigate, click
    expect(page.locator("#run-progress-text")).to_contain_text("2 / 2 tests")
    expect(page.get_by_text("env local")).to_be_visible()
    expect(bad.get_by_role("img")).to_be_visible()  # the failure screenshot, inline
    seen = page.evaluate("() => window.__tiqSeen")
    assert seen["status"][0] in ("queued", "running") and seen["status"][-1] == "failed", seen
    assert len(seen["steps"]) > 2 and seen["steps"][-1] == 7, seen  # steps turned green/red one batch at a time
    expect(page.locator("video")).to_have_count(2)  # each test's video player
    _shot(page, "run_live.png")

    # ---- the failing test's trace, in the app's own trace viewer ----------------------------------
    with page.context.expect_page() as popup:
        bad.get_by_role("link", name=re.compile("Open trace")).click()
    viewer = popup.value
    viewer.set_default_timeout(TIMEOUT)
    viewer.wait_for_load_state()
    assert re.search(r"/trace-viewer/index\.html\?trace=/api/v1/artifacts/", viewer.url), viewer.url
    assert viewer.url.startswith(page.url.split("/runs/")[0])  # our origin
    expect(viewer.locator(".action-title").first).to_be_visible()
    viewer.set_viewport_size({"width": 1440, "height": 900})
    _shot(viewer, "trace_viewer.png", full_page=False)
    viewer.close()

    # ---- rerun the failed test ----------------------------------------------------------------------
    page.get_by_role("button", name="Rerun failed").click()
    page.wait_for_url(re.compile(rf"/runs/(?!{run_id}){UUID}/?$"))
    # Until the new run's load lands, the page still shows the previous run: its one card first.
    expect(page.locator("[data-test-id]")).to_have_count(1)
    expect(page.locator("#run-status")).to_have_attribute("data-status", "failed", timeout=RUN_TIMEOUT)
    expect(_card(page, "Fails on a missing element")).to_have_attribute("data-test-status", "failed")
    expect(page.get_by_text(re.compile(r"^rerun · "))).to_be_visible()

    # ---- a long run from the project page's "Run tests", cancelled ---------------------------------
    page.get_by_role("link", name="Runs", exact=True).click()
    page.wait_for_url(re.compile(rf"/projects/{pid}/runs/?$"))
    expect(page.locator("[data-run-id]")).to_have_count(2)
    page.get_by_role("link", name="Tests", exact=True).click()
    page.wait_for_url(re.compile(rf"/projects/{pid}/?(\?.*)?$"))
    page.get_by_role("button", name="Run tests").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Checkout", exact=True)).not_to_be_checked()
    dialog.get_by_label("Waits a minute", exact=True).check()
    _choose(page, dialog.get_by_role("combobox", name="Environment"), "local")
    dialog.get_by_role("button", name="Start run").click()
    page.wait_for_url(re.compile(rf"/runs/{UUID}/?$"))
    slow = _card(page, "Waits a minute")
    expect(slow.locator("[data-step-status=running]")).to_have_count(1, timeout=RUN_TIMEOUT)
    page.get_by_role("button", name="Cancel run").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel run").click()  # asks first
    expect(page.locator("#run-status")).to_have_attribute("data-status", "cancelled")
    expect(slow).to_have_attribute("data-test-status", "cancelled")

    # ---- the runs list: three runs; the status filter narrows them ---------------------------------
    page.get_by_role("link", name="Runs", exact=True).click()
    page.wait_for_url(re.compile(rf"/projects/{pid}/runs/?$"))
    expect(page.locator("[data-run-id]")).to_have_count(3)
    _shot(page, "runs.png")
    _choose(page, page.get_by_role("combobox", name="Status"), "failed")
    expect(page.locator("[data-run-id]")).to_have_count(2)
    _choose(page, page.get_by_role("combobox", name="Status"), "cancelled")
    expect(page.locator("[data-run-id]")).to_have_count(1)

    # ---- back to the project switcher --------------------------------------------------------------
    page.get_by_role("link", name="Projects", exact=True).first.click()
    page.wait_for_url(re.compile(r"/projects/?$"))
    expect(page.get_by_role("link", name=re.compile("Open project Web shop"))).to_contain_text("tests: 3")
    _shot(page, "home.png")
