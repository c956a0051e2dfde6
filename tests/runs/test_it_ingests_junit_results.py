"""JUnit XML from other runners (pytest's flavour, Maven Surefire's reruns) uploaded to
POST /api/v1/projects/{project}/results becomes a finished run with trigger `import`: test
cases matched/created by folder (classname) + name, attempts for reruns, flaky when a test
failed then passed, errors kept, attachments named in the output stored as artifacts."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from tests.runs.results_support import DATA, token_for, upload
from traceiq_app.db import get_engine
from traceiq_app.models import Artifact, Run, SourceFormat, Suite, TestCase, TestResult
from traceiq_app.services.runs import views as run_views

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _results(run_id: str) -> dict[tuple[str, int], TestResult]:
    with Session(get_engine()) as s:
        rows = s.exec(select(TestResult).where(col(TestResult.run_id) == uuid.UUID(run_id))).all()
        return {(r.test_name, r.attempt): r for r in rows}


def test_it_ingests_pytest_junit_as_an_import_run(personas) -> None:  # type: ignore[no-untyped-def]
    token = token_for(personas)
    report = ("junit.xml", (DATA / "pytest_style.xml").read_bytes())
    response = upload(personas.project.slug, report, token=token,
                      attachments=[("shots/bad-password.png", PNG)], data={"branch": "main", "commit": "abc123"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["format"] == "junit" and body["status"] == "failed"
    assert body["totals"] == {"total": 4, "passed": 1, "failed": 1, "flaky": 0, "errors": 1, "skipped": 1}
    assert body["created"] == {"suites": 2, "tests": 4}
    assert body["url"].endswith(f"/runs/{body['id']}") and body["warnings"] == []

    with Session(get_engine()) as s:
        run = s.get(Run, uuid.UUID(body["id"]))
        assert run is not None and run.trigger == "import" and run.branch == "main" and run.commit_sha == "abc123"
        assert run.duration_ms == 3250 and run.started_at is not None and run.finished_at is not None
        suites = {x.name for x in s.exec(select(Suite).where(Suite.project_id == personas.project.id)).all()}
        assert {"tests.test_login", "tests.test_cart"} <= suites
        cases = s.exec(select(TestCase).where(TestCase.project_id == personas.project.id)).all()
        assert {c.name for c in cases} == {"test_signs_in", "test_rejects_bad_password", "test_later",
                                           "test_adds_item"}
        assert all(c.source_format == SourceFormat.imported for c in cases)
        arts = s.exec(select(Artifact).where(Artifact.run_id == run.id)).all()
    results = _results(body["id"])
    bad = results[("test_rejects_bad_password", 1)]
    assert bad.status == "failed" and "assert 'Welcome' == 'Wrong password'" in (bad.error or "")
    assert results[("test_adds_item", 1)].status == "error"
    assert "RuntimeError: database gone" in (results[("test_adds_item", 1)].error or "")
    assert results[("test_later", 1)].status == "skipped"
    assert results[("test_signs_in", 1)].duration_ms == 1500
    # The screenshot named in system-out is the failing test's; the output is kept as a log.
    shot = [a for a in arts if a.kind == "failure_screenshot"]
    assert len(shot) == 1 and shot[0].test_result_id == bad.id and shot[0].size_bytes == len(PNG)
    assert any(a.kind == "log" and a.test_result_id == results[("test_adds_item", 1)].id for a in arts)

    # The run page's data (what the live page and the API show) has it like a native run.
    detail = run_views.run_detail(run.id)
    assert detail is not None and detail["trigger"] == "import"
    card = next(t for t in detail["tests"] if t["name"] == "test_rejects_bad_password")
    assert card["failure_screenshot"] == str(shot[0].id)

    # A second upload of the same report matches the same tests and folders (nothing new).
    again = upload(personas.project.id, report, token=token, attachments=[("shots/bad-password.png", PNG)])
    assert again.status_code == 201, again.text
    assert again.json()["created"] == {"suites": 0, "tests": 0}


def test_it_turns_surefire_reruns_into_attempts_and_flaky(personas) -> None:  # type: ignore[no-untyped-def]
    response = upload(personas.project.slug, ("TEST-com.acme.CheckoutTest.xml",
                                              (DATA / "surefire_reruns.xml").read_bytes()),
                      token=token_for(personas))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["totals"]["flaky"] == 1 and body["totals"]["failed"] == 1 and body["attempts"] == 4
    results = _results(body["id"])
    assert results[("paysByCard", 1)].status == "failed"
    assert "Timeout waiting for #pay" in (results[("paysByCard", 1)].error or "")
    assert results[("paysByCard", 2)].status == "flaky"
    assert results[("refunds", 1)].status == "failed" and results[("refunds", 2)].status == "failed"
