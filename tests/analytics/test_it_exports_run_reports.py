"""A run's report as one self-contained HTML file (opens from file:// with its screenshot, failing
steps first), as PDF (Chromium, real pages), its results as CSV and Excel, and the health table
as CSV; spreadsheet formulas in test data are neutralised; outsiders get 404."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from tests.analytics.history import Outcome
from tests.runs.results_support import token_for
from traceiq_app.db import get_engine
from traceiq_app.models import Artifact, ArtifactKind, StepResult, StepStatus, TestResult
from traceiq_app.services.platform.storage import get_storage


@pytest.fixture
def client() -> Any:
    from traceiq_app.api.app import create_api

    with TestClient(create_api()) as c:
        yield c


def _screenshot(chromium) -> bytes:  # type: ignore[no-untyped-def]
    page = chromium.new_page(viewport={"width": 200, "height": 120})
    try:
        page.set_content("<body style='background:#e5484d'><h1>Login broke</h1></body>")
        return bytes(page.screenshot())
    finally:
        page.close()


def _failed_run(history, chromium) -> Any:  # type: ignore[no-untyped-def]
    run = history.run({"=HYPERLINK(\"x\")": "passed",
                       "Login": Outcome("failed", error="expected 'Welcome' got 'Oops'", step=("click", "#go"))})
    png = _screenshot(chromium)
    with Session(get_engine()) as s:
        result = s.exec(select(TestResult).where(TestResult.run_id == run.id, TestResult.test_name == "Login")).one()
        s.add(StepResult(test_result_id=result.id, step_index=1, action="goto", name="open home",
                         status=StepStatus.passed, duration_ms=5))
        key = f"{run.project_id}/{run.id}/{result.id}/shot.png"
        get_storage().put_bytes(key, png, "image/png")
        s.add(Artifact(project_id=run.project_id, run_id=run.id, test_result_id=result.id,
                       kind=ArtifactKind.failure_screenshot, storage_key=key, size_bytes=len(png),
                       content_type="image/png"))
        s.commit()
    return run


def test_it_exports_csv_and_xlsx(history, client, chromium) -> None:  # type: ignore[no-untyped-def]
    run = _failed_run(history, chromium)
    auth = {"Authorization": f"Bearer {token_for(history.p, 'bob', ('read',))}"}
    response = client.get(f"/api/v1/runs/{run.id}/results.csv", headers=auth)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_name = {r["test"]: r for r in rows}
    assert by_name["Login"]["status"] == "failed" and by_name["Login"]["failed_step"] == "1. click"
    assert "'=HYPERLINK(\"x\")" in by_name  # not a formula
    xlsx = client.get(f"/api/v1/runs/{run.id}/results.xlsx", headers=auth)
    assert xlsx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        names = book.namelist()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "xl/worksheets/sheet1.xml" in names and "xl/worksheets/sheet2.xml" in names
    assert "Login" in strings and "expected &apos;Welcome&apos; got &apos;Oops&apos;" in strings.replace("'", "&apos;")
    health = client.get(f"/api/v1/projects/{history.p.project.id}/analytics/health.csv", headers=auth)
    assert health.status_code == 200 and "Login" in health.text and health.text.startswith("test_id,name,runs")
    # the run page's download links: the signed-in browser's session cookie is enough
    from tests.accounts.matrix_support import session_cookie

    client.cookies.set("tiq_session", session_cookie(history.p.bob.id))
    assert client.get(f"/api/v1/runs/{run.id}/results.csv").status_code == 200
    client.cookies.clear()
    charlie = {"Authorization": f"Bearer {token_for(history.p, 'charlie', ('read',))}"}
    for path in ("results.csv", "results.xlsx", "report.html", "report.pdf"):
        assert client.get(f"/api/v1/runs/{run.id}/{path}", headers=charlie).status_code == 404


def test_it_writes_a_self_contained_html_report_and_a_pdf(history, client, tmp_path: Path, chromium) -> None:  # type: ignore[no-untyped-def]
    run = _failed_run(history, chromium)
    auth = {"Authorization": f"Bearer {token_for(history.p, 'bob', ('read',))}"}
    response = client.get(f"/api/v1/runs/{run.id}/report.html", headers=auth)
    assert response.status_code == 200, response.text
    text = response.text
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", text), "the report must not reference anything outside"
    assert "data:image/png;base64," in text
    # failing tests first, and their failing step first
    assert text.index("Login") < text.index("HYPERLINK")
    assert text.index("click — failed") < text.index("open home")
    file = tmp_path / "report.html"
    file.write_text(text, encoding="utf-8")
    page = chromium.new_page()
    try:
        page.goto(file.as_uri())
        assert page.locator("section.test").count() == 2
        assert page.evaluate("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
        assert page.locator("img").count() == 1
    finally:
        page.close()
    pdf = client.get(f"/api/v1/runs/{run.id}/report.pdf", headers=auth)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf.content)) >= 1
