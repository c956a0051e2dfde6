"""In a real Chromium against the real app: the test editor shows locator advice next to the
field. A saved nth-child chain is flagged when the editor opens, with the sturdier locator known
from the step's fingerprint; typing a plain id clears the advice; typing a generated class name
brings it back (debounced, computed on the server from the editor's draft)."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from tests.support.browser_pages import new_owner, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app"),
              pytest.mark.usefixtures("patient_expect")]

BIN = Path(sys.executable).parent
BRITTLE = "div:nth-child(2) > form > button:nth-child(3)"


def _seed(app_server) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    from tests.factories import make_project, make_test_case
    from traceiq_app.db import get_engine
    from traceiq_app.models import HealingFingerprint

    with Session(get_engine(), expire_on_commit=False) as s:
        email, user, org = new_owner(app_server, s, "Advice")
        project = make_project(s, org, f"Shop {uuid.uuid4().hex[:4]}", owner=user)
        case = make_test_case(s, project, "Place order", steps=[
            {"action": "goto", "url": "https://shop.test/checkout"},
            {"action": "click", "target": [{"css": BRITTLE}]}])
        s.add(HealingFingerprint(test_case_id=case.id, slot="1", fingerprint={
            "tag": "button", "role": "button", "name": "Place order", "kind": "clickable", "attrs": {}}))
        s.commit()
        return email, str(case.id)


def test_it_advises_locators_inline_in_the_editor(app_server, app_db, chromium) -> None:  # type: ignore[no-untyped-def]
    email, tid = _seed(app_server)
    page = signed_in_page(app_server, chromium, "", {"width": 1280, "height": 900}, email=email)
    context = page.context
    page.goto(f"/tests/{tid}")

    advice = page.locator("[data-locator-advice=target]")
    expect(advice).to_be_visible(timeout=60_000)
    expect(advice).to_contain_text("Fragile locator")
    expect(advice).to_contain_text("chain of positions")
    expect(advice).to_contain_text('role="button"[name="Place order"]')

    value = page.get_by_label("Locator value").nth(0)
    value.fill("#place-order")
    expect(advice).to_have_count(0)

    value.fill("button.css-1x9f3qz")
    expect(advice).to_be_visible()
    expect(advice).to_contain_text("generated name 'css-1x9f3qz'")

    page.set_viewport_size({"width": 390, "height": 844})
    expect(advice).to_be_visible()
    box = advice.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390 + 1, f"the advice overflows at 390 px: {box}"
    context.close()
