"""In a real Chromium against the real app with a real worker: a run heals a renamed button,
the run page shows "passed (healed)", an editor reviews the proposal's diff on the project's
Healing page, accepts it, and sees the new test version; the AI card explains that no model is
configured; at 390 px the page still fits."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from tests.healing.conftest import RELEASE_2, CheckoutSite, order_steps
from tests.support.browser_pages import new_owner, signed_in_page
from tests.support.processes import serve_directory, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app"),
              pytest.mark.usefixtures("patient_expect")]

BIN = Path(sys.executable).parent


def _seed(app_server, site: CheckoutSite) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    from tests.factories import make_project, make_test_case
    from traceiq_app.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as s:
        email, user, org = new_owner(app_server, s, "Heal")
        project = make_project(s, org, f"Checkout {uuid.uuid4().hex[:4]}", owner=user,
                               settings={"base_url": site.url, "step_timeout_ms": 3000})
        case = make_test_case(s, project, "Place order", steps=order_steps(site.page_url))
        s.commit()
        return email, str(project.id), str(case.id)


def _run(project_id: str) -> str:
    from traceiq_app.models import Run
    from traceiq_app.services.runs.control import start_run

    run = start_run(uuid.UUID(project_id))

    def done() -> bool:
        from traceiq_app.db import get_engine

        with Session(get_engine()) as s:
            row = s.get(Run, run.id)
            return bool(row and row.status.is_final)

    wait_until(done, 120, interval=0.2, what="the run to end")
    return str(run.id)


def test_it_reviews_and_accepts_a_healing_proposal(app_server, app_db, worker, chromium,  # type: ignore[no-untyped-def]
                                                   tmp_path: Path) -> None:
    from traceiq_app.services.catalog.test_cases import get_test_case
    from traceiq_app.services.healing import store

    folder = tmp_path / "site"
    folder.mkdir()
    with serve_directory(folder) as url:
        site = CheckoutSite(folder, url)
        email, pid, tid = _seed(app_server, site)
        store.set_mode(uuid.UUID(pid), "heal")
        _run(pid)  # records the fingerprints
        site.change_to(RELEASE_2)
        run_id = _run(pid)

        page = signed_in_page(app_server, chromium, "", {"width": 1280, "height": 900}, email=email)
        context = page.context

        page.goto(f"/runs/{run_id}")
        expect(page.locator("[data-healed]")).to_have_text("passed (healed)")

        page.goto(f"/projects/{pid}/healing")
        card = page.locator("[data-proposal-status=open]")
        expect(card).to_have_count(1)
        expect(card).to_contain_text("Place order")
        expect(card).to_contain_text('- step 2 target: css="#save"')
        expect(card).to_contain_text('+ step 2 target: role="button"[name="Place order"]')
        page.get_by_role("button", name="Accept the fix for Place order").click()
        expect(page.get_by_text("Accepted: the test is now at version 2.")).to_be_visible()
        expect(page.get_by_text("No proposals here")).to_be_visible()
        case = get_test_case(uuid.UUID(pid), uuid.UUID(tid))
        assert case.version == 2
        assert case.steps[1]["target"][0] == {"role": "button", "name": "Place order", "exact": True}

        page.get_by_label("Show proposals").click()
        page.get_by_role("option", name="accepted").click()
        expect(page.locator("[data-proposal-status=accepted]")).to_contain_text("v2")

        # No model on this server: the AI card explains why instead of showing its buttons.
        expect(page.locator("#ai-off-reason")).to_contain_text("no language model configured")
        expect(page.get_by_role("button", name="Generate draft")).to_have_count(0)

        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"/projects/{pid}/healing")
        expect(page.get_by_role("heading", name="Self-healing locators")).to_be_visible()
        # This page's content fits (the shared navbar with a long e-mail is the app shell's own business;
        # what sits in a sideways-scrolling box, like the project's tabs on a phone, is meant to).
        wide = page.evaluate("""() => {
            const scrolls = (e) => {
                for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
                    if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
                }
                return false;
            };
            return Array.from(document.querySelectorAll('.rt-Container *'))
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !scrolls(e))
                .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
        }""")
        assert wide == [], f"the healing page's content is wider than 390 px: {wide[-6:]}"
        context.close()
