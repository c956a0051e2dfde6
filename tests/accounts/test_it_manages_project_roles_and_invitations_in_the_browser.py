"""The real app in Chromium: alice (org owner) invites someone and revokes the invitation on the
Members page (the link then says it was revoked), opens her project's Members tab, makes bob a
viewer and adds frank (an org member) with the keyboard; bob, now a viewer, sees the project's
members without any control to change them."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.accounts.conftest import PASSWORD, seed_live_cast

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("app")]
TIMEOUT = 60_000


def _signed_in(chromium, live, email: str) -> tuple[BrowserContext, Page]:  # type: ignore[no-untyped-def]
    context = chromium.new_context(base_url=live.url)
    response = context.request.post("/api/auth/login", data={"email": email, "password": PASSWORD},
                                    headers={"Origin": live.url})
    assert response.ok, response.text()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    return context, page


def _add_org_member(cast, email: str) -> tuple[uuid.UUID, str]:  # type: ignore[no-untyped-def]
    from tests.factories import add_org_member, make_user
    from traceiq_app.db import session_scope
    from traceiq_app.models import Organization

    with session_scope() as s:
        user = make_user(s, email)
        org = s.get(Organization, cast.acme_id)
        assert org is not None
        add_org_member(s, org, user)
        return user.id, user.email


def _project_role(project_id: uuid.UUID, user_id: uuid.UUID) -> str | None:
    from sqlmodel import select

    from traceiq_app.db import session_scope
    from traceiq_app.models import ProjectMember

    with session_scope() as s:
        role = s.exec(select(ProjectMember.role).where(ProjectMember.project_id == project_id,
                                                       ProjectMember.user_id == user_id)).first()
        return str(role) if role is not None else None


def test_it_changes_a_project_role_and_revokes_an_invitation(live, chromium) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.services.accounts.passwords import hash_password

    cast = seed_live_cast(password_hash=hash_password(PASSWORD))
    invited = f"zoe-{cast.suffix}@acme.test"
    frank = _add_org_member(cast, f"frank-{cast.suffix}@acme.test")
    context, page = _signed_in(chromium, live, cast.alice)
    try:
        # --- Members page: invite, see it pending, revoke it ------------------------------------
        page.goto("/settings/members")
        page.get_by_label("Email").fill(invited)
        page.get_by_label("Email").press("Enter")
        link = page.locator("#invite-link").inner_text()
        assert "/invite/" in link
        row = page.get_by_role("row").filter(has_text=invited)
        expect(row).to_contain_text("member")
        expect(row).to_contain_text(cast.alice)  # invited by
        expect(row).to_contain_text("UTC")  # expiry
        page.get_by_role("button", name=f"Revoke the invitation of {invited}").click()
        expect(page.get_by_text("Invitation revoked").first).to_be_visible()
        expect(page.get_by_role("row").filter(has_text=invited)).to_have_count(0)
        expect(page.get_by_text("No pending invitations.")).to_be_visible()

        invite_page = context.new_page()
        invite_page.goto(link.replace(link.split("/invite/")[0], live.url))
        expect(invite_page.get_by_role("alert")).to_contain_text("revoked", timeout=TIMEOUT)
        expect(invite_page.get_by_role("button", name=re.compile("Accept|join", re.I))).to_have_count(0)
        invite_page.close()

        # --- the project's Members tab: bob editor -> viewer ------------------------------------
        page.goto(f"/projects/{cast.project_id}")
        page.locator(f'a[href="/projects/{cast.project_id}/members"]').click()
        page.wait_for_url(f"**/projects/{cast.project_id}/members")
        bob_role = page.get_by_role("combobox", name=f"Project role of {cast.bob}")
        expect(bob_role).to_have_text("editor")
        bob_role.click()
        page.get_by_role("option", name="viewer", exact=True).click()
        expect(page.get_by_text("Project role changed to viewer.").first).to_be_visible()
        expect(bob_role).to_have_text("viewer")
        assert _project_role(cast.project_id, cast.bob_id) == "viewer"

        # Add frank, keyboard only: choose him and a role, Enter on the button.
        for combobox, option in (("Organization member", f"{frank[1]} (member)"), ("Project role", "editor")):
            page.get_by_role("combobox", name=combobox, exact=True).focus()
            page.keyboard.press("Enter")  # opens the (Radix) select
            page.get_by_role("option", name=option, exact=True).focus()  # where the arrow keys would go
            page.keyboard.press("Enter")
            expect(page.get_by_role("combobox", name=combobox, exact=True)).to_have_text(option)
        page.get_by_role("button", name="Add to project").press("Enter")
        expect(page.get_by_text("Added to the project as editor.").first).to_be_visible()
        expect(page.get_by_role("combobox", name=f"Project role of {frank[1]}")).to_have_text("editor")
        assert _project_role(cast.project_id, frank[0]) == "editor"
        # Everybody in the org now has a role: the form makes way for a pointer to invitations.
        expect(page.get_by_text("Every member of the organization already has a role")).to_be_visible()
    finally:
        context.close()

    # --- bob, now a viewer, sees the list read-only ---------------------------------------------
    context, page = _signed_in(chromium, live, cast.bob)
    try:
        page.goto(f"/projects/{cast.project_id}/members")
        table = page.get_by_role("table")
        expect(table).to_contain_text(cast.alice)
        expect(table.get_by_role("row").filter(has_text=cast.bob)).to_contain_text("viewer")
        expect(page.get_by_text("Only project owners and admins can change who is in this project.")).to_be_visible()
        expect(page.get_by_role("combobox")).to_have_count(0)
        expect(page.get_by_role("button", name=re.compile("Remove|Add to project"))).to_have_count(0)
        # No pending-invitation list (nor revoke buttons) for a plain org member either.
        page.goto("/settings/members")
        expect(page.get_by_role("row").filter(has_text=cast.alice)).to_be_visible()
        expect(page.get_by_text("Pending invitations")).to_have_count(0)
        expect(page.get_by_role("button", name=re.compile("Revoke"))).to_have_count(0)
    finally:
        context.close()
