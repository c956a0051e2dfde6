"""/settings/system in Chromium: an org owner sees the real worker (state, uptime, browser memory
of a worker on this machine), the queues, Redis and database sizes, storage and retention, and
the page refreshes by itself; a member is refused on the server and sees no data. The JSON twin,
GET /api/v1/system, answers the same report to an admin-scope token."""

from __future__ import annotations

import httpx
import pytest

from tests.accounts.conftest import seed_live_cast
from tests.accounts.matrix_support import session_cookie

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("app")]


def _context(chromium, live, user_id):  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    context.add_cookies([{"name": "tiq_session", "value": session_cookie(user_id), "url": live.url}])
    return context


def test_it_shows_workers_queues_and_storage_to_admins_only(live, worker, chromium) -> None:  # type: ignore[no-untyped-def]
    cast = seed_live_cast()
    context = _context(chromium, live, cast.alice_id)
    page = context.new_page()
    try:
        page.goto(live.url + "/settings/system")
        page.locator("tr", has_text="idle").first.wait_for(timeout=60_000)  # the real worker, waiting
        text = page.locator("main, body").first.inner_text()
        assert "Workers" in text and "Queues" in text and "Redis memory" in text and "Database" in text
        assert "MB" in text and "Retention" in text and "The next cleanup deletes" in text
        first = page.locator("#system-updated").inner_text()
        page.wait_for_function("t => document.querySelector('#system-updated').innerText !== t", arg=first,
                               timeout=30_000)  # refreshed by itself
    finally:
        context.close()

    member = _context(chromium, live, cast.bob_id)
    page = member.new_page()
    try:
        page.goto(live.url + "/settings/system")
        page.get_by_text("Only organization owners and administrators").wait_for(timeout=60_000)
        assert page.locator("tr").count() == 0
    finally:
        member.close()

    from traceiq_app.services.accounts.tokens import create_token

    with httpx.Client(base_url=live.url, timeout=30) as client:
        from traceiq_app.db import session_scope
        from traceiq_app.models import User

        with session_scope() as s:
            alice = s.get(User, cast.alice_id)
            token, _row = create_token(s, user=alice, org_id=cast.acme_id, name="ops", scopes=["read", "admin"])
        report = client.get("/api/v1/system", params={"org_id": str(cast.acme_id)},
                            headers={"Authorization": f"Bearer {token}"})
        assert report.status_code == 200, report.text
        body = report.json()
        assert any(w["state"] in ("idle", "busy") for w in body["workers"])
        assert {q["name"] for q in body["queues"]} and body["database"]["size_mb"] >= 0
        denied = client.get("/api/v1/system", params={"org_id": str(cast.globex_id)},
                            headers={"Authorization": f"Bearer {token}"})
        assert denied.status_code in (403, 404)
