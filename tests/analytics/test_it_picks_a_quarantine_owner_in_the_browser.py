"""The quarantine dialog has an owner picker (a Radix select of the project's members, the
current user first): bob (editor) quarantines a test with alice as its owner and the quarantine
table shows her; the service refuses an owner who is not a member of the project (charlie, of
another org) with a sentence a person understands."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from tests.accounts.conftest import seed_live_cast
from tests.accounts.matrix_support import session_cookie
from tests.analytics.history import History
from traceiq_app.db import get_engine
from traceiq_app.models import Project, Quarantine, utcnow

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("app")]

TIMEOUT = 90_000


def test_it_picks_a_quarantine_owner(live, chromium) -> None:  # type: ignore[no-untyped-def]
    from traceiq_app.services.analytics import quarantine
    from traceiq_app.services.platform.permissions import Principal

    cast = seed_live_cast()
    with Session(get_engine(), expire_on_commit=False) as s:
        project = s.get(Project, cast.project_id)
    History(SimpleNamespace(project=project)).run({"Zeta profile": "failed", "Alpha search": "passed"})

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "tiq_session", "value": session_cookie(cast.bob_id), "url": live.url}])
    page = context.new_page()
    page.goto(f"{live.url}/projects/{cast.project_id}/analytics")
    page.locator("tr[data-test='Zeta profile']").get_by_role("button", name="Quarantine").click(timeout=TIMEOUT)
    dialog = page.get_by_role("dialog")
    owner = dialog.get_by_role("combobox", name="Owner")
    expect(owner).to_contain_text(f"Bob ({cast.bob})", timeout=TIMEOUT)
    owner.click()
    options = page.get_by_role("option")
    expect(options).to_have_count(2)  # alice and bob: charlie (another org) is not offered
    page.get_by_role("option", name=f"Alice ({cast.alice})").click()
    dialog.get_by_label("Reason").fill("the profile API is flaky, JIRA-42")
    dialog.get_by_role("button", name="Quarantine").click()
    row = page.locator("#quarantine-table tr[data-quarantine='Zeta profile']")
    expect(row).to_contain_text(cast.alice, timeout=TIMEOUT)
    with Session(get_engine()) as s:
        stored = s.exec(select(Quarantine).where(Quarantine.project_id == cast.project_id)).one()
    assert stored.owner_user_id == cast.alice_id and stored.created_by_user_id == cast.bob_id
    context.close()

    bob = Principal(user_id=cast.bob_id, email=cast.bob)
    with pytest.raises(quarantine.QuarantineError, match="owner: is not a member of this project: pick one of"):
        quarantine.create(cast.project_id, bob, quarantine.QuarantineIn(
            "k", "Alpha search", "reason", cast.charlie_id, utcnow() + timedelta(days=2)))
