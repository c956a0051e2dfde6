"""The project dashboard in Chromium (1280 px light, 390 px dark): the charts are drawn with
plotly.js from our own origin (no request leaves it), filters change the charts, a click on a
bar lands on the run behind it and a click on a day on the runs of that day, the health table
sorts, a quarantine is created from the table and disappears once it expires; the project summary
download carries the applied filters."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from tests.accounts.conftest import seed_live_cast
from tests.accounts.matrix_support import session_cookie
from tests.analytics.history import History, Outcome
from traceiq_app.db import get_engine
from traceiq_app.models import Project, utcnow

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("app")]

TIMEOUT = 90_000


def _seed(live):  # type: ignore[no-untyped-def]
    cast = seed_live_cast()
    with Session(get_engine(), expire_on_commit=False) as s:
        project = s.get(Project, cast.project_id)
    h = History(SimpleNamespace(project=project))
    for status in ("passed", "failed", "passed"):
        h.run({"Checkout with a very long name that must be truncated in the table " * 2: status,
               "Alpha search": Outcome("passed", 300), "Zeta profile": Outcome("flaky", 900)}, branch="main")
    feature = h.run({"Alpha search": "failed"}, branch="feature")
    return cast, h, feature


def _context(chromium, live, user_id, **kwargs):  # type: ignore[no-untyped-def]
    context = chromium.new_context(**kwargs)
    context.add_cookies([{"name": "tiq_session", "value": session_cookie(user_id), "url": live.url}])
    return context


def _x_count(page, chart: str) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate(f"() => (document.getElementById('chart-{chart}').data || [])[0].x.length"))


def _click_first_bar(page, chart: str) -> None:  # type: ignore[no-untyped-def]
    bar = page.locator(f"#chart-{chart} g.trace.bars g.point path >> visible=true").first
    bar.wait_for(timeout=TIMEOUT)
    box = bar.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_it_filters_clicks_through_sorts_and_quarantines(live, chromium) -> None:  # type: ignore[no-untyped-def]
    cast, h, feature = _seed(live)
    origin = live.url.rstrip("/")
    context = _context(chromium, live, cast.bob_id, viewport={"width": 1280, "height": 900})
    foreign: list[str] = []
    context.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(origin)
               and not r.url.startswith(("data:", "blob:", "ws://127.0.0.1", "ws://localhost")) else None)
    page = context.new_page()
    try:
        page.goto(f"{live.url}/projects/{cast.project_id}/analytics")
        page.locator("#chart-pass_rate .main-svg").first.wait_for(timeout=TIMEOUT)
        assert _x_count(page, "pass_rate") == 1  # one day
        # per run: four runs; then only the feature branch: one
        page.locator("select[name=bucket]").select_option("run")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_function("() => (document.getElementById('chart-pass_rate') || {}).data?.[0]?.x.length === 4",
                               timeout=TIMEOUT)
        page.get_by_label("Branch").fill("feature")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_function("() => (document.getElementById('chart-pass_rate') || {}).data?.[0]?.x.length === 1",
                               timeout=TIMEOUT)
        # the summary download carries the applied filters
        expect(page.locator("#summary-html")).to_have_attribute("href", re.compile(r"branch=feature"), timeout=TIMEOUT)
        summary = page.request.get(origin + (page.locator("#summary-html").get_attribute("href") or ""))
        assert summary.status == 200 and "branch feature" in summary.text()
        # a click on the run's bar opens that run
        _click_first_bar(page, "outcomes")
        page.wait_for_function("() => location.pathname.startsWith('/runs/')", timeout=TIMEOUT)
        path = page.evaluate("() => location.pathname")
        assert path == f"/runs/{feature.id}", (path, str(feature.id), page.evaluate(
            "() => document.getElementById('chart-outcomes') && document.getElementById('chart-outcomes').data"))

        page.goto(f"{live.url}/projects/{cast.project_id}/analytics")
        page.get_by_role("button", name="Clear").click()  # the tab kept its filters; back to all, per day
        page.wait_for_function("() => (document.getElementById('chart-outcomes') || {}).data?.[0]?.x.length === 1 && "
                               "(document.getElementById('chart-pass_rate') || {}).data?.[0]?.x[0].length === 10",
                               timeout=TIMEOUT)
        _click_first_bar(page, "outcomes")  # runs per day: the runs of that day with that outcome
        page.wait_for_url(re.compile(r"/runs\?.*from="), timeout=TIMEOUT, wait_until="commit")
        page.locator("tr[data-run-id]").first.wait_for(timeout=TIMEOUT)

        page.goto(f"{live.url}/projects/{cast.project_id}/analytics")
        rows = page.locator("#health-table tbody tr")
        rows.first.wait_for(timeout=TIMEOUT)
        # every row has its duration sparkline drawn (an SVG image)
        assert page.locator("#health-table img.sparkline").count() == rows.count()
        page.wait_for_function("() => [...document.querySelectorAll('#health-table img.sparkline')]"
                               ".every(i => i.complete && i.naturalWidth > 0)", timeout=TIMEOUT)
        page.get_by_role("button", name="Sort by Test").click()
        page.wait_for_function("() => document.querySelector('#health-table tbody tr')?.dataset.test "
                               "=== 'Alpha search'", timeout=TIMEOUT)
        page.get_by_role("button", name="Sort by Test").click()
        page.wait_for_function("() => document.querySelector('#health-table tbody tr')?.dataset.test "
                               "=== 'Zeta profile'", timeout=TIMEOUT)
        # quarantine Zeta from its row
        page.locator("tr[data-test='Zeta profile']").get_by_role("button", name="Quarantine").click()
        page.get_by_label("Reason").fill("retries on the profile API")
        page.get_by_label("Days").fill("2")
        page.get_by_role("dialog").get_by_role("button", name="Quarantine").click()
        page.locator("#quarantine-table tr[data-quarantine='Zeta profile']").wait_for(timeout=TIMEOUT)
        assert page.locator("tr[data-test='Zeta profile']").get_by_text("quarantined").count() == 1
        # ... and it expires on schedule (the maintenance pass ends it)
        from traceiq_app.services.analytics import quarantine

        assert quarantine.expire_due(utcnow() + timedelta(days=3)) >= 1
        page.reload()
        expect(page.locator("#quarantine-table tr[data-quarantine='Zeta profile']")).to_have_count(0, timeout=TIMEOUT)
        expect(page.locator("tr[data-test='Zeta profile']").get_by_text("quarantined")).to_have_count(0)
        # the flip-flopping Checkout test (P F P) stays proposed for quarantine
        proposed = page.locator("#quarantine-table tr[data-quarantine^='Checkout']")
        expect(proposed).to_have_count(1)
        assert "proposed" in proposed.inner_text()
        assert foreign == [], f"requests left our origin: {foreign[:5]}"
    finally:
        context.close()


def test_it_fits_a_phone_in_dark_mode_and_shows_an_empty_state(live, chromium) -> None:  # type: ignore[no-untyped-def]
    cast, _h, _feature = _seed(live)
    context = _context(chromium, live, cast.bob_id, viewport={"width": 390, "height": 844}, color_scheme="dark")
    page = context.new_page()
    try:
        page.goto(f"{live.url}/projects/{cast.project_id}/analytics")
        page.locator("#chart-pass_rate .main-svg").first.wait_for(timeout=TIMEOUT)
        page.locator("#health-table").wait_for(timeout=TIMEOUT)
        # Nothing of the dashboard sticks out at 390 px, except inside its sideways-scrolling
        # table boxes (the shared navbar is the layout's business).
        wide = page.evaluate("""() => {
            const main = document.getElementById('analytics-main');
            const scrolls = e => { for (let a = e.parentElement; a && a !== main; a = a.parentElement) {
                if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return true; } return false; };
            return [...main.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > 392 && !scrolls(e))
                .slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + String(e.className).slice(0, 50) + ' '
                                 + Math.round(e.getBoundingClientRect().right));
        }""")
        assert wide == [], f"dashboard content wider than 390 px: {wide}"
        box = page.locator("#chart-pass_rate").bounding_box()
        assert box is not None and box["width"] <= 390
        empty = seed_live_cast()
        page2 = _context(chromium, live, empty.bob_id, viewport={"width": 390, "height": 844}).new_page()
        page2.goto(f"{live.url}/projects/{empty.project_id}/analytics")
        page2.get_by_text("No results yet").wait_for(timeout=TIMEOUT)
        assert uuid.UUID(str(empty.project_id))
    finally:
        context.close()
