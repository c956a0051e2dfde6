"""In Chromium against the running app: alice raises a defect by hand (Markdown description
rendered safely, a custom field) and assigns bob; bob moves it through the whole workflow
including a reopen, comments and attaches a file; the history lists every change with who and
when; a viewer sees it but gets no workflow buttons; at 390 px (dark) the page still fits."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from tests.accounts.conftest import seed_live_cast
from tests.accounts.matrix_support import session_cookie
from traceiq_app.db import get_engine
from traceiq_app.models import ProjectMember, ProjectRole
from traceiq_app.services.defects import custom_fields

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("app"),
              pytest.mark.usefixtures("patient_expect")]

TIMEOUT = 90_000
PATH = ["in_progress", "fixed", "awaiting_verification", "reopened", "in_progress", "fixed",
        "awaiting_verification", "verified_fixed", "closed"]
LABELS = {"assigned": "ASSIGNED", "in_progress": "IN PROGRESS", "fixed": "FIXED",
          "awaiting_verification": "AWAITING VERIFICATION", "reopened": "REOPENED", "verified_fixed": "VERIFIED FIXED",
          "closed": "CLOSED", "new": "NEW"}


def _page(chromium, live, user_id, **kwargs):  # type: ignore[no-untyped-def]
    context = chromium.new_context(**kwargs)
    context.add_cookies([{"name": "tiq_session", "value": session_cookie(user_id), "url": live.url}])
    return context, context.new_page()


def test_it_walks_the_workflow_with_a_reopen(live, chromium, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cast = seed_live_cast()
    custom_fields.create_field(cast.project_id, "defect", "Customer", "select", "Acme, Globex")
    base = f"{live.url}/projects/{cast.project_id}/defects"
    alice_ctx, page = _page(chromium, live, cast.alice_id, viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{base}/new")
        expect(page.locator("#defect-title")).to_be_visible(timeout=TIMEOUT)
        page.locator("#defect-title").fill("Coupon field accepts expired codes")
        page.locator("#defect-description").fill("**Steps**\n\n1. enter `OLD10`\n\n<script>window.pwned=1</script>\n\n"
                                                 "[x](javascript:alert(1)) [docs](https://example.com/docs)")
        page.locator("#cf-customer").select_option("Globex")
        page.locator("#defect-assignee_id").select_option(label="Bob")
        page.get_by_role("button", name="Raise defect").click()
        page.wait_for_url(re.compile(r"/defects/DEF-1$"), timeout=TIMEOUT)
        expect(page.locator("#defect-key ~ [data-status=assigned]")).to_be_visible(timeout=TIMEOUT)
        html = page.locator("#defect-description-html")
        expect(html.locator("strong")).to_have_text("Steps")
        assert html.locator("script").count() == 0 and page.evaluate("() => window.pwned") is None
        assert html.locator("a[href^='javascript']").count() == 0
        expect(html.locator("a[href='https://example.com/docs']")).to_have_attribute("rel", re.compile("noopener"))
        expect(page.get_by_text("Customer: ")).to_contain_text("Globex")
    finally:
        alice_ctx.close()

    bob_ctx, page = _page(chromium, live, cast.bob_id, viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{base}/DEF-1")
        expect(page.locator("#defect-key")).to_have_text("DEF-1", timeout=TIMEOUT)
        for status in PATH:
            page.locator(f"[data-move={status}]").click()
            expect(page.locator(f"#defect-key ~ [data-status={status}]")).to_be_visible(timeout=TIMEOUT)
        expect(page.locator("[data-move=reopened]")).to_be_visible()  # CLOSED: only a reopen is offered
        page.get_by_label("Comment").fill("Verified on **staging**")
        page.get_by_role("button", name="Comment").click()
        expect(page.locator(".tiq-markdown strong", has_text="staging")).to_be_visible(timeout=TIMEOUT)
        notes = tmp_path / "console.log"
        notes.write_text("TypeError: coupon.expiry is undefined\n")
        page.locator("#defect-upload input[type=file]").set_input_files(str(notes))
        page.get_by_role("button", name="Attach", exact=True).click()
        link = page.get_by_role("link", name=re.compile(r"console\.log"))
        expect(link).to_be_visible(timeout=TIMEOUT)
        download = page.request.get(live.url.rstrip("/") + (link.get_attribute("href") or ""))
        assert download.status == 200 and b"coupon.expiry" in download.body()
        assert download.headers["content-type"].startswith("text/plain")

        rows = page.locator("#defect-history tbody tr[data-history-field=status]")
        expect(rows).to_have_count(1 + len(PATH))
        moves = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
        assert moves[0][1:] == ["Alice", "status", "NEW", "ASSIGNED"]
        previous = "assigned"
        for (when, who, field, old, new), status in zip(moves[1:], PATH, strict=True):
            assert re.match(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", when), when
            assert (who, field, old, new) == ("Bob", "status", LABELS[previous], LABELS[status])
            previous = status
        for field in ("created", "comment", "attachment"):
            expect(page.locator(f"#defect-history tr[data-history-field={field}]")).to_have_count(1)
    finally:
        bob_ctx.close()

    with Session(get_engine()) as s:  # bob becomes a viewer: he reads the defect, he cannot move it
        member = s.exec(select(ProjectMember).where(ProjectMember.project_id == cast.project_id,
                                                    ProjectMember.user_id == cast.bob_id)).one()
        member.role = ProjectRole.viewer
        s.add(member)
        s.commit()
    viewer_ctx, page = _page(chromium, live, cast.bob_id, viewport={"width": 390, "height": 844},
                             color_scheme="dark")
    try:
        page.goto(f"{base}/DEF-1")
        expect(page.locator("#defect-key")).to_have_text("DEF-1", timeout=TIMEOUT)
        expect(page.locator("[data-move]")).to_have_count(0)
        expect(page.get_by_label("Comment")).to_have_count(0)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390 + 1
    finally:
        viewer_ctx.close()
