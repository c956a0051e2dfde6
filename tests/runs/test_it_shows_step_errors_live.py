"""The live run page shows a step's console errors and failed requests under the step as soon as
the step ends (they come with its `step.finished` event), while the test is still running; after
the test ends and after a reload they are there once. Real app (prod build), real worker, a
fixture page that logs a console error and loads a missing script."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app"),
              pytest.mark.usefixtures("patient_expect")]

PASSWORD = "correct horse battery staple 42"
BIN = Path(sys.executable).parent
TIMEOUT = 30_000



def _seed(email: str, site: str) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    from tests.factories import make_project, make_test_case
    from traceiq_app.db import get_engine
    from traceiq_app.models import Organization, OrganizationMember, User

    with Session(get_engine(), expire_on_commit=False) as s:
        user = s.exec(select(User).where(User.email == email)).one()
        member = s.exec(select(OrganizationMember).where(OrganizationMember.user_id == user.id)).one()
        org = s.get(Organization, member.org_id)
        assert org is not None
        project = make_project(s, org, f"Noisy {uuid.uuid4().hex[:4]}", owner=user, settings={"base_url": site})
        case = make_test_case(s, project, "Noisy page", steps=[
            {"action": "goto", "url": "/errors.html"},
            {"action": "wait_for", "ms": 4000},  # keeps the test running while we look
        ])
        s.commit()
        return project.id, case.id, user.id


def test_step_errors_show_live_under_the_step(app_server, chromium, runs_site, worker) -> None:  # type: ignore[no-untyped-def]
    site = runs_site
    from traceiq_app.services.runs.control import start_run
    from traceiq_app.services.runs.orchestration import dispatch

    email = f"noisy-{uuid.uuid4().hex[:8]}@runs.test"
    subprocess.run([str(BIN / "traceiq"), "admin", "create-user", "--email", email, "--password", PASSWORD,
                    "--org", f"Noisy {uuid.uuid4().hex[:4]}"],
                   cwd=app_server.dir, env=app_server.env, check=True, capture_output=True, timeout=120)
    project_id, case_id, user_id = _seed(email, site)
    context = chromium.new_context(base_url=app_server.url)
    assert context.request.post("/api/auth/login", data={"email": email, "password": PASSWORD},
                                headers={"Origin": app_server.url}).ok
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)

    # The page is open before the worker gets the test: everything below arrives live.
    run = start_run(project_id, selection={"test_ids": [str(case_id)]}, dispatch=False, user_id=user_id)
    page.goto(f"/runs/{run.id}")
    card = page.locator("[data-test-id]", has_text="Noisy page")
    expect(card).to_be_visible(timeout=TIMEOUT)
    dispatch(run.id)

    first = card.locator("[data-step-index='0']")
    expect(first).to_have_attribute("data-step-status", "passed", timeout=60_000)
    expect(first.locator(".tiq-step-console")).to_have_text(["console: checkout widget failed: boom"])
    expect(first.locator(".tiq-step-network", has_text="404 GET ")).to_contain_text("/missing-widget.js")
    # ... while the test is still in its 4 s second step.
    expect(card).to_have_attribute("data-test-status", "running", timeout=1)
    expect(card.locator("[data-step-index='1']")).to_have_attribute("data-step-status", "running", timeout=1)
    assert card.locator("[data-step-index='1'] .tiq-step-note").count() == 0
    network = first.locator(".tiq-step-network").count()

    # After the end (the page reconciles the attempt with the database) and after a reload:
    # the same notes, once.
    expect(page.locator("#run-status")).to_have_attribute("data-status", "passed", timeout=60_000)
    for reload in (False, True):
        if reload:
            page.reload()
        expect(first).to_have_attribute("data-step-status", "passed", timeout=TIMEOUT)
        expect(first.locator(".tiq-step-console")).to_have_count(1)
        expect(first.locator(".tiq-step-network")).to_have_count(network)
        expect(card.locator("[data-step-status]")).to_have_count(2)
    context.close()
