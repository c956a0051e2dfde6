"""A draft generated from a description (offline: no model on this server) is dry-run with a
screenshot after every step; the screenshots are kept with the draft and the editor shows them,
step by step, to the person reviewing it, through the authorized dry-run route (an anonymous
request gets 401)."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from tests.engine.healing_site import render
from tests.support.browser_pages import new_owner, signed_in_page
from tests.support.processes import serve_directory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app"),
              pytest.mark.usefixtures("patient_expect")]

BIN = Path(sys.executable).parent


def _seed(app_server) -> tuple[str, uuid.UUID]:  # type: ignore[no-untyped-def]
    from tests.factories import make_project
    from traceiq_app.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as s:
        email, user, org = new_owner(app_server, s, "Drafts")
        project = make_project(s, org, f"Shop {uuid.uuid4().hex[:4]}", owner=user)
        s.commit()
        return email, project.id


def test_it_shows_a_drafts_dry_run_screenshots(app_server, app_db, chromium, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.engine.runner import Engine
    from traceiq_app.services.ai import draft_screens
    from traceiq_app.services.ai.drafts import generate_draft
    from traceiq_app.services.platform.storage import get_storage

    get_storage.cache_clear()  # the app's artifact folder (app_db points this process at it)
    email, pid = _seed(app_server)
    (tmp_path / "checkout.html").write_text(render(), encoding="utf-8")
    with serve_directory(tmp_path) as site:
        engine = Engine()
        try:
            result = generate_draft(pid, "click Place order button\nexpect 'save'", site + "/checkout.html",
                                    engine=engine)
        finally:
            engine.close()
    assert result.test_id is not None and result.source == "offline", result.problems
    kept = draft_screens.manifest(result.test_id)
    assert kept is not None and kept["status"] == "passed", kept
    assert [(r["step"], r["action"], r["status"], r["image"]) for r in kept["steps"]] == [
        (0, "goto", "passed", True), (1, "click", "passed", True), (2, "assert_visible", "passed", True)]
    get_storage.cache_clear()

    page = signed_in_page(app_server, chromium, "", {"width": 1280, "height": 900}, email=email)
    context = page.context
    page.goto(f"/tests/{result.test_id}")
    panel = page.locator("#draft-dry-run")
    expect(panel).to_be_visible(timeout=60_000)
    expect(panel).to_contain_text("Dry run of this AI draft")
    cards = panel.locator("[data-dry-run-step]")
    expect(cards).to_have_count(3)
    expect(cards.nth(1)).to_contain_text("click")
    image = cards.nth(1).get_by_role("img", name="Screenshot after step 2")
    image.scroll_into_view_if_needed()
    expect(image).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())

    anonymous = chromium.new_context(base_url=app_server.url)
    assert anonymous.request.get(f"/api/v1/tests/{result.test_id}/dry-run/2.png").status == 401
    anonymous.close()

    page.set_viewport_size({"width": 390, "height": 844})
    expect(cards.nth(0)).to_be_visible()
    box = cards.nth(0).bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390 + 1, box
    context.close()
