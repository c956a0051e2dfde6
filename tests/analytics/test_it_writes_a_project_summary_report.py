"""The project summary report for a date range: one self-contained HTML file (the dashboard's
charts as embedded SVG images, the health table with sparklines, the open failure clusters) that
opens from file:// with every image drawn, the same as PDF (Chromium, real pages), through
/api/v1 (read scope, or the dashboard's session cookie); bad ranges are named; outsiders get 404."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.analytics.history import Outcome
from tests.runs.results_support import token_for
from traceiq_app.models import utcnow


@pytest.fixture
def client() -> Any:
    from traceiq_app.api.app import create_api

    with TestClient(create_api()) as c:
        yield c


def _history(history) -> None:  # type: ignore[no-untyped-def]
    broken = Outcome("failed", error="Timeout 30000ms exceeded waiting for locator('#pay')", step=("click", "#pay"))
    history.run({"Checkout": "passed", "Login": "passed", "Search": Outcome("flaky", 900)}, branch="main")
    history.run({"Checkout": broken, "Login": "passed", "Search": "passed"}, branch="main")
    history.run({"Checkout": broken, "Login": "passed"}, branch="feature")


def _range() -> dict[str, str]:
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    return {"since": (today - timedelta(days=6)).isoformat(), "until": (today + timedelta(days=1)).isoformat()}


def test_it_writes_a_self_contained_summary_that_opens_from_a_file(history, client, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                   chromium) -> None:
    _history(history)
    base = f"/api/v1/projects/{history.p.project.slug}/analytics"
    auth = {"Authorization": f"Bearer {token_for(history.p, 'bob', ('read',))}"}
    response = client.get(f"{base}/summary.html", params=_range(), headers=auth)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert re.search(r'attachment; filename=".+-summary-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.html"',
                     response.headers["content-disposition"])
    text = response.text
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", text), "the report must not reference anything outside"
    assert history.p.project.name in text
    images = re.findall(r"src='data:image/svg\+xml;base64,([^']+)'", text)
    charts = [base64.b64decode(i).decode() for i in images if "font-weight='600'" in base64.b64decode(i).decode()]
    titles = [re.search(r"aria-label='([^']+)'", c).group(1) for c in charts]  # type: ignore[union-attr]
    assert titles == ["Pass rate per day", "Results per day", "Runs per day by outcome", "Run duration (s)",
                      "Flaky tests per day", "By environment", "By browser", "By branch"]
    assert len(images) == len(charts) + 3  # one sparkline per test
    results = next(c for c in charts if "Results per day" in c)
    assert "passed: 5" in results and "failed: 2" in results and "flaky: 1" in results
    # health table: every test, the flaky one and the failing one with its error
    assert re.search(r"<td class=name title='Checkout'>Checkout</td>.*?Timeout 30000ms", text)
    assert "title='Search'" in text and "title='Login'" in text
    # the open cluster
    clusters = text[text.index("id=clusters"):]
    assert "Timeout 30000ms" in clusters and "<td class=num>2</td>" in clusters
    file = tmp_path / "summary.html"
    file.write_text(text, encoding="utf-8")
    page = chromium.new_page()
    try:
        page.goto(file.as_uri())
        assert page.locator("img").count() == len(images)
        assert page.evaluate("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
        assert page.locator("#health tbody tr").count() == 3
    finally:
        page.close()
    pdf = client.get(f"{base}/summary.pdf", params=_range(), headers=auth)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf.content)) >= 1


def test_it_says_when_the_range_is_empty_and_serves_the_dashboard_download(history, client) -> None:  # type: ignore[no-untyped-def]
    from tests.accounts.matrix_support import session_cookie

    _history(history)
    base = f"/api/v1/projects/{history.p.project.id}/analytics"
    client.cookies.set("tiq_session", session_cookie(history.p.bob.id))
    past = client.get(f"{base}/summary.html", params={"since": "2020-01-01T00:00:00Z",
                                                      "until": "2020-02-01T00:00:00Z"})
    assert past.status_code == 200
    assert "No finished runs in this range." in past.text and "No open failure clusters." in past.text
    assert "2020-01-01 to 2020-01-31" in past.text
    filtered = client.get(f"{base}/summary.html", params={**_range(), "branch": "feature"})
    assert filtered.status_code == 200 and "branch feature" in filtered.text
    client.cookies.clear()


@pytest.mark.parametrize(("params", "field"), [
    ({"since": "2026-11-02T00:00:00Z", "until": "2026-11-01T00:00:00Z"}, "until"),
    ({"since": "last week"}, "since"), ({"window": "1"}, "window"), ({"suite": "Nope"}, "suite")])
def test_it_names_the_bad_summary_input(history, client, params: dict[str, str], field: str) -> None:  # type: ignore[no-untyped-def]
    auth = {"Authorization": f"Bearer {token_for(history.p, 'bob', ('read',))}"}
    response = client.get(f"/api/v1/projects/{history.p.project.slug}/analytics/summary.html", params=params,
                          headers=auth)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error" and any(field in d["field"] for d in error["details"]), error


def test_it_hides_the_summary_from_outsiders(history, client) -> None:  # type: ignore[no-untyped-def]
    _history(history)
    charlie = {"Authorization": f"Bearer {token_for(history.p, 'charlie', ('read',))}"}
    for path in ("summary.html", "summary.pdf"):
        response = client.get(f"/api/v1/projects/{history.p.project.id}/analytics/{path}", headers=charlie)
        assert response.status_code == 404, response.text
