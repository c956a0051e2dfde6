"""In a real Chromium against the real app: a failed result on the run page has an "Explain this
failure" button; with no model on this server it answers with the offline explanation and says
clearly why the model was not asked; light and dark, 1280 and 390 px."""

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
ERROR = 'no element matches css="#save" (waited 3000 ms)'


def _seed(app_server) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    from tests.factories import make_project
    from traceiq_app.db import get_engine
    from traceiq_app.models import (
        Run,
        RunStatus,
        RunTrigger,
        StepResult,
        StepStatus,
        TestResult,
        TestResultStatus,
        utcnow,
    )

    with Session(get_engine(), expire_on_commit=False) as s:
        email, user, org = new_owner(app_server, s, "Explain")
        project = make_project(s, org, f"Shop {uuid.uuid4().hex[:4]}", owner=user)
        now = utcnow()
        run = Run(project_id=project.id, trigger=RunTrigger.ui, status=RunStatus.failed, total=1, failed=1,
                  started_at=now, finished_at=now, duration_ms=1200)
        s.add(run)
        s.flush()
        result = TestResult(run_id=run.id, test_name="Place order", status=TestResultStatus.failed, failed_step=1,
                            error=ERROR, definition={"version": 1, "name": "Place order", "steps": [
                                {"action": "goto", "url": "https://shop.test/"},
                                {"action": "click", "target": [{"css": "#save"}]}]},
                            started_at=now, finished_at=now, duration_ms=1200)
        s.add(result)
        s.flush()
        s.add(StepResult(test_result_id=result.id, step_index=0, action="goto", status=StepStatus.passed,
                         duration_ms=200, started_at=now, finished_at=now))
        s.add(StepResult(test_result_id=result.id, step_index=1, action="click", status=StepStatus.failed,
                         duration_ms=1000, error=ERROR, network_errors=["GET https://shop.test/api/cart 500"],
                         started_at=now, finished_at=now))
        s.commit()
        return email, str(run.id)


def test_it_explains_a_failure_from_the_run_page(app_server, app_db, chromium) -> None:  # type: ignore[no-untyped-def]
    email, run_id = _seed(app_server)
    page = signed_in_page(app_server, chromium, "", {"width": 1280, "height": 900}, email=email)
    context = page.context
    page.goto(f"/runs/{run_id}")
    button = page.get_by_role("button", name="Explain this failure")
    expect(button).to_be_visible(timeout=60_000)
    button.click()
    answer = page.locator("[data-explanation]")
    expect(answer).to_be_visible()
    expect(answer).to_have_attribute("data-explanation", "offline")
    expect(answer).to_contain_text('its locator css="#save" no longer matches')
    expect(answer).to_contain_text("1 network error(s)")
    expect(answer.locator("[data-explain-note]")).to_contain_text(
        "AI assistance is off: the server has no language model configured")

    for width, scheme in ((390, "dark"), (1280, "dark")):
        page.set_viewport_size({"width": width, "height": 844})
        page.emulate_media(color_scheme=scheme)
        expect(answer).to_be_visible()
        box = answer.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width + 1, (width, box)
    context.close()
