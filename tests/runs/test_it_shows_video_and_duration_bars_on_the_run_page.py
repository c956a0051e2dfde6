"""The run page, after a real run by a real worker: with video "On failure" chosen in the run
dialog, the failed test's result shows a <video> player served by the authorized artifact route
and the passed test none; every finished test has a duration bar scaled to the run's longest
test (that one full), labelled with its duration."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from tests.support.browser_pages import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app")]
TIMEOUT = 120_000


def _seed(email: str, site: str) -> str:
    from tests.factories import make_project, make_test_case
    from traceiq_app.db import get_engine
    from traceiq_app.models import Organization, OrganizationMember, User

    with Session(get_engine(), expire_on_commit=False) as s:
        user = s.exec(select(User).where(User.email == email)).one()
        member = s.exec(select(OrganizationMember).where(OrganizationMember.user_id == user.id)).one()
        org = s.get(Organization, member.org_id)
        assert org is not None
        project = make_project(s, org, f"Video {uuid.uuid4().hex[:4]}", owner=user,
                               settings={"base_url": site, "step_timeout_ms": 1500})
        make_test_case(s, project, "Quick pass", steps=[
            {"action": "goto", "url": "/"},
            {"action": "assert_title", "expected": "Runs home", "match": "contains"},
        ])
        make_test_case(s, project, "Slow failure", steps=[
            {"action": "goto", "url": "/"},
            {"action": "wait_for", "ms": 2500},
            {"action": "assert_title", "expected": "Nope", "match": "exact"},
        ])
        s.commit()
        return str(project.id)


def test_it_shows_the_video_of_a_failure_and_duration_bars(app_server, chromium, runs_site, worker) -> None:  # type: ignore[no-untyped-def]
    from tests.support.browser_pages import create_user
    from traceiq_app.db import get_engine
    from traceiq_app.models import Run

    email = create_user(app_server, "Video")
    page = signed_in_page(app_server, chromium, "Video", email=email)
    try:
        pid = _seed(email, runs_site)
        page.goto(f"/projects/{pid}/runs")
        page.get_by_role("button", name="Run tests").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("combobox", name="Video")).to_have_text("Off", timeout=60_000)
        dialog.get_by_role("combobox", name="Video").click()
        page.get_by_role("option", name="On failure", exact=True).click()
        dialog.get_by_role("button", name="Start run").click()
        page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}$"))
        expect(page.locator("#run-status")).to_have_attribute("data-status", "failed", timeout=TIMEOUT)

        ok = page.locator("[data-test-id]", has_text="Quick pass")
        bad = page.locator("[data-test-id]", has_text="Slow failure")
        video = bad.locator("video")
        expect(video).to_have_count(1)
        assert (video.get_attribute("src") or "").startswith("/api/v1/artifacts/")
        expect(ok.locator("video")).to_have_count(0)  # a passed test keeps no video in this mode
        response = page.request.get((video.get_attribute("src") or "").split("#")[0])
        assert response.ok and response.headers["content-type"].startswith("video/")
        with Session(get_engine()) as s:
            run = s.get(Run, uuid.UUID(page.url.rsplit("/", 1)[1]))
        assert run is not None and run.video == "failures"

        # Duration bars: the slow test fills its bar, the quick one a fraction of it.
        slow_bar, quick_bar = bad.get_by_role("meter"), ok.get_by_role("meter")
        expect(slow_bar).to_have_attribute("data-duration-percent", "100")
        quick = int(quick_bar.get_attribute("data-duration-percent") or "0")
        assert 0 < quick < 100, quick
        label = slow_bar.get_attribute("aria-valuetext") or ""
        assert re.fullmatch(r"\d+(\.\d)? s", label) and label in bad.inner_text(), label
        fill_width = slow_bar.evaluate("b => b.firstElementChild.getBoundingClientRect().width")
        bar_width = slow_bar.evaluate("b => b.getBoundingClientRect().width")
        assert abs(fill_width - bar_width) < 2 and bar_width > 100
        quick_fill = quick_bar.evaluate("b => b.firstElementChild.getBoundingClientRect().width")
        assert quick_fill < bar_width * 0.9
    finally:
        page.context.close()
