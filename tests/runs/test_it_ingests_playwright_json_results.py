"""A Playwright Test JSON report (`--reporter=json`) with its attachments becomes an import run:
one test per spec × project (browser), an attempt per retry (failed then passed: flaky), the
`test.step`s as step rows, errors without terminal colours, and the trace / screenshot matched
by path with the uploaded files. The trace is a real one (Playwright against a local page) and,
uploaded with `traceiq results upload` to the running app, opens in the in-app trace viewer."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from tests.runs.results_support import token_for, upload
from traceiq_app.db import get_engine
from traceiq_app.models import Artifact, StepResult, TestResult

BIN = Path(sys.executable).parent
CI_ROOT = "/builds/acme/shop/test-results"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def real_trace(chromium, site: str, target: Path) -> Path:  # type: ignore[no-untyped-def]
    """A trace recorded by Playwright against the local fixture site."""
    context = chromium.new_context()
    context.tracing.start(screenshots=True, snapshots=True)
    page = context.new_page()
    page.goto(site + "/index.html")
    page.click("#btn")
    page.wait_for_selector("text=clicked")
    target.parent.mkdir(parents=True, exist_ok=True)
    context.tracing.stop(path=str(target))
    context.close()
    return target


def _result(status: str, retry: int, *, attachments: list[dict[str, Any]], error: str | None = None,
            steps: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"workerIndex": 0, "parallelIndex": 0, "status": status, "duration": 1200 + retry, "retry": retry,
            "startTime": f"2026-11-20T10:00:0{retry}Z", "annotations": [], "stdout": [{"text": "hello\n"}],
            "stderr": [], "errors": [{"message": error, "stack": error}] if error else [],
            **({"error": {"message": error}} if error else {}),
            "steps": steps or [], "attachments": attachments}


def playwright_report() -> dict[str, Any]:
    failing_steps = [
        {"title": "open the shop", "duration": 120, "steps": [{"title": "inner navigation", "duration": 100}]},
        {"title": "check the title", "duration": 30,
         "error": {"message": "\x1b[31mExpected\x1b[39m: \"Shop\"\nReceived: \"Runs home\""}},
    ]
    passing_steps = [{"title": "open the shop", "duration": 110}, {"title": "check the title", "duration": 25}]
    retry0 = [{"name": "trace", "contentType": "application/zip", "path": f"{CI_ROOT}/home-opens-chromium/trace.zip"},
              {"name": "screenshot", "contentType": "image/png",
               "path": f"{CI_ROOT}/home-opens-chromium/test-failed-1.png"},
              {"name": "video", "contentType": "video/webm", "path": f"{CI_ROOT}/home-opens-chromium/video.webm"}]
    retry1 = [{"name": "trace", "contentType": "application/zip",
               "path": f"{CI_ROOT}/home-opens-chromium-retry1/trace.zip"}]
    spec = {"title": "home opens", "ok": True, "tags": [], "id": "a1", "file": "shop.spec.ts", "line": 3, "column": 5,
            "tests": [
                {"timeout": 30000, "annotations": [], "expectedStatus": "passed", "projectId": "chromium",
                 "projectName": "chromium", "status": "flaky", "results": [
                     _result("failed", 0, attachments=retry0, error="\x1b[31mExpected\x1b[39m: \"Shop\"",
                             steps=failing_steps),
                     _result("passed", 1, attachments=retry1, steps=passing_steps)]},
                {"timeout": 30000, "annotations": [], "expectedStatus": "passed", "projectId": "firefox",
                 "projectName": "firefox", "status": "expected", "results": [
                     _result("passed", 0, attachments=[], steps=passing_steps)]},
            ]}
    skipped = {"title": "checkout later", "ok": True, "tags": [], "id": "a2", "file": "shop.spec.ts", "line": 9,
               "column": 5, "tests": [{"timeout": 30000, "annotations": [], "expectedStatus": "skipped",
                                       "projectId": "chromium", "projectName": "chromium", "status": "skipped",
                                       "results": [_result("skipped", 0, attachments=[])]}]}
    timed_out = {"title": "slow search", "ok": False, "tags": [], "id": "a3", "file": "search.spec.ts", "line": 1,
                 "column": 1, "tests": [{"timeout": 30000, "annotations": [], "expectedStatus": "passed",
                                         "projectId": "chromium", "projectName": "chromium", "status": "unexpected",
                                         "results": [_result("timedOut", 0, attachments=[])]}]}
    return {
        "config": {"rootDir": "/builds/acme/shop/tests", "projects": [{"name": "chromium"}, {"name": "firefox"}]},
        "suites": [
            {"title": "shop.spec.ts", "file": "shop.spec.ts", "line": 0, "column": 0, "specs": [],
             "suites": [{"title": "storefront", "file": "shop.spec.ts", "line": 2, "column": 6,
                         "specs": [spec, skipped]}]},
            {"title": "search.spec.ts", "file": "search.spec.ts", "line": 0, "column": 0, "specs": [timed_out]},
        ],
        "errors": [],
        "stats": {"startTime": "2026-11-20T10:00:00.000Z", "duration": 4321.5, "expected": 1, "skipped": 1,
                  "unexpected": 1, "flaky": 1},
    }


def test_it_ingests_a_playwright_json_report_with_its_attachments(personas, chromium, runs_site,  # type: ignore[no-untyped-def]
                                                                    tmp_path) -> None:
    trace = real_trace(chromium, runs_site, tmp_path / "trace.zip").read_bytes()
    response = upload(personas.project.slug, ("results.json", json.dumps(playwright_report()).encode()),
                      token=token_for(personas), attachments=[
                          ("home-opens-chromium/trace.zip", trace),
                          ("home-opens-chromium/test-failed-1.png", PNG),
                          ("home-opens-chromium-retry1/trace.zip", trace),
                          ("unrelated/notes.txt", b"x")])
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["format"] == "playwright-json" and body["status"] == "failed"
    assert body["totals"] == {"total": 4, "passed": 1, "failed": 1, "flaky": 1, "errors": 0, "skipped": 1}
    assert body["created"] == {"suites": 3, "tests": 3}  # shop.spec.ts/storefront, search.spec.ts
    assert f"attachment not uploaded: {CI_ROOT}/home-opens-chromium/video.webm" in body["warnings"]
    assert "uploaded file not referenced by the report: unrelated/notes.txt" in body["warnings"]

    run_id = uuid.UUID(body["id"])
    with Session(get_engine()) as s:
        results = {(r.test_name, r.browser.value, r.attempt): r
                   for r in s.exec(select(TestResult).where(col(TestResult.run_id) == run_id)).all()}
        first, second = results[("home opens", "chromium", 1)], results[("home opens", "chromium", 2)]
        assert first.status == "failed" and second.status == "flaky"
        assert results[("home opens", "firefox", 1)].status == "passed"
        assert results[("checkout later", "chromium", 1)].status == "skipped"
        assert results[("slow search", "chromium", 1)].status == "failed"
        assert first.error == 'Expected: "Shop"' and "\x1b" not in (first.error or "")
        assert first.failed_step == 2 and first.duration_ms == 1200
        steps = s.exec(select(StepResult).where(StepResult.test_result_id == first.id)
                       .order_by(col(StepResult.step_index))).all()
        assert [(x.name, x.status.value) for x in steps] == [
            ("open the shop", "passed"), ("open the shop › inner navigation", "passed"),
            ("check the title", "failed")]
        assert steps[2].error and steps[2].error.startswith('Expected: "Shop"')
        assert len(first.definition["steps"]) == 3  # the run page shows "3 / 3 steps"
        arts = {(a.test_result_id, a.kind.value): a for a in s.exec(select(Artifact).where(Artifact.run_id == run_id)).all()}
    assert arts[(first.id, "trace")].size_bytes == len(trace)
    assert arts[(first.id, "trace")].content_type == "application/zip"
    assert arts[(first.id, "failure_screenshot")].size_bytes == len(PNG)
    assert (second.id, "trace") in arts and (first.id, "video") not in arts
    assert (first.id, "log") in arts  # stdout

    # The trace downloads through the authorized artifact route, byte for byte.
    from fastapi.testclient import TestClient

    from traceiq_app.api.app import create_api

    with TestClient(create_api()) as client:
        got = client.get(f"/api/v1/artifacts/{arts[(first.id, 'trace')].id}",
                         headers={"Authorization": f"Bearer {token_for(personas, scopes=('read',))}"})
    assert got.status_code == 200 and got.content == trace


PASSWORD = "correct horse battery staple 42"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.xdist_group("app")
def test_it_uploads_with_the_cli_and_opens_the_trace_in_the_viewer(app_server, app_db, chromium, runs_site,  # type: ignore[no-untyped-def]
                                                                     tmp_path) -> None:
    email = f"ci-{uuid.uuid4().hex[:8]}@results.test"
    org = f"Results {uuid.uuid4().hex[:4]}"
    env = dict(app_server.env)
    subprocess.run([str(BIN / "traceiq"), "admin", "create-user", "--email", email, "--password", PASSWORD,
                    "--org", org], cwd=app_server.dir, env=env, check=True, capture_output=True, timeout=120)
    from tests.factories import make_project
    from traceiq_app.models import Organization, OrganizationMember, User

    with Session(get_engine(), expire_on_commit=False) as s:
        user = s.exec(select(User).where(User.email == email)).one()
        member = s.exec(select(OrganizationMember).where(OrganizationMember.user_id == user.id)).one()
        organization = s.get(Organization, member.org_id)
        assert organization is not None
        slug = f"shop-{uuid.uuid4().hex[:6]}"
        make_project(s, organization, "Shop", slug=slug, owner=user)
        s.commit()
    made = subprocess.run([str(BIN / "traceiq"), "admin", "create-token", "--email", email, "--name", "ci",
                           "--scope", "run"], cwd=app_server.dir, env=env, check=True, capture_output=True,
                          text=True, timeout=120)
    token = made.stdout.strip().splitlines()[-1]

    results = tmp_path / "test-results"
    real_trace(chromium, runs_site, results / "home-opens-chromium" / "trace.zip")
    (results / "home-opens-chromium" / "test-failed-1.png").write_bytes(PNG)
    (results / "home-opens-chromium-retry1").mkdir()
    (results / "home-opens-chromium-retry1" / "trace.zip").write_bytes(
        (results / "home-opens-chromium" / "trace.zip").read_bytes())
    report = tmp_path / "results.json"
    report.write_text(json.dumps(playwright_report()))
    cli_env = {**env, "TRACEIQ_SERVER": app_server.url, "TRACEIQ_TOKEN": token}
    done = subprocess.run([str(BIN / "traceiq"), "results", "upload", "--project", slug, str(report),
                           "--attachments", str(results)], env=cli_env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 tests - 1 passed, 1 failed, 1 flaky, 1 skipped" in done.stdout
    run_url = re.search(r"run: (\S+)", done.stdout)
    assert run_url, done.stdout
    run_path = "/runs/" + run_url.group(1).rsplit("/runs/", 1)[1]

    # A bad token: one clear line, exit 2, no traceback.
    bad = subprocess.run([str(BIN / "traceiq"), "results", "upload", "--project", slug, str(report)],
                         env={**cli_env, "TRACEIQ_TOKEN": "tiq_not_a_real_token"}, capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and "token" in bad.stderr

    context = chromium.new_context(viewport={"width": 1440, "height": 1000}, base_url=app_server.url)
    signed = context.request.post("/api/auth/login", data={"email": email, "password": PASSWORD},
                                  headers={"Origin": app_server.url})
    assert signed.ok, signed.text()
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(run_path)
    card = page.locator("[data-test-id]", has_text="home opens").first
    expect(card).to_be_visible(timeout=30_000)
    expect(page.locator("#run-status")).to_have_attribute("data-status", "failed", timeout=30_000)
    with context.expect_page() as popup:
        card.get_by_role("link", name=re.compile("Open trace")).first.click()
    viewer = popup.value
    viewer.set_default_timeout(30_000)
    viewer.wait_for_load_state()
    assert viewer.url.startswith(app_server.url + "/trace-viewer/index.html?trace=/api/v1/artifacts/")
    expect(viewer.locator(".action-title").first).to_be_visible(timeout=30_000)
    expect(viewer.locator(".action-title", has_text=re.compile("Click|click"))).not_to_have_count(0)
    viewer.close()
    context.close()
