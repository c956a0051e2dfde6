"""In a real Chromium against the real app (prod build) with a real `traceiq worker`: create a
schedule (its words and next 5 fire times show before saving; a bad time zone is refused at the
field), run it now; create a webhook channel (its secret is shown once) and a rule, send a test
event, see it arrive signed at a loopback receiver and "delivered" in the delivery log. Both
pages at 1280 px and 390 px (no sideways scrolling), light and dark."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.support.browser_pages import new_owner, signed_in_page
from tests.support.processes import base_env, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app"),
              pytest.mark.usefixtures("patient_expect")]

BIN = Path(sys.executable).parent


@pytest.fixture
def notify_worker(app_server, app_db) -> Iterator[subprocess.Popen[bytes]]:  # type: ignore[no-untyped-def]
    """A real worker that may reach the loopback receiver (TRACEIQ_WEBHOOK_ALLOW_PRIVATE)."""
    from rq import Worker

    from traceiq_app.redis_conn import get_redis

    suffix = f"notify-{uuid.uuid4().hex[:4]}"
    log = app_server.dir / f"worker-{suffix}.log"
    env = base_env(TRACEIQ_DATA_DIR=str(app_server.data_dir), REDIS_URL=app_server.redis.url,
                   TRACEIQ_WEBHOOK_ALLOW_PRIVATE="true", TRACEIQ_MAINTENANCE_SECONDS="0.5")
    with open(log, "ab") as out:
        process = subprocess.Popen([str(BIN / "traceiq"), "worker", "--name-suffix", suffix], env=env,
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    wait_until(lambda: any(w.name.endswith(suffix) for w in Worker.all(connection=get_redis()))
               or process.poll() is not None, 90, interval=0.2, what="the worker to register")
    assert process.poll() is None, log.read_text()[-3000:]
    yield process
    process.terminate()
    process.wait(20)


def _seed(app_server, site: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    from tests.factories import make_project, make_test_case
    from traceiq_app.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as s:
        email, user, org = new_owner(app_server, s, "Notify")
        project = make_project(s, org, "Shop with a rather long name that has to be truncated somewhere " * 2,
                               owner=user, settings={"base_url": site, "step_timeout_ms": 1500})
        make_test_case(s, project, "Home page", steps=[{"action": "goto", "url": "/"}])
        s.commit()
        return email, str(project.id)


def _page(app_server, chromium, email: str, width: int, dark: bool = False) -> Page:  # type: ignore[no-untyped-def]
    return signed_in_page(app_server, chromium, "", {"width": width, "height": 900}, email=email,
                          color_scheme="dark" if dark else "light")


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    offenders = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .filter(e => !e.closest('[style*="overflow"]') || e.closest('[style*="overflow"]') === e)
        .slice(0, 8).map(e => `${e.tagName}.${e.getAttribute('class') || ''}[${e.getAttribute('data-testid') || ''}]`
                             + ` right=${Math.round(e.getBoundingClientRect().right)} ${(e.textContent || '').slice(0, 40)}`)""")
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow}px: {offenders}"


def test_it_creates_a_schedule_and_a_webhook_and_sends_a_test_event(  # type: ignore[no-untyped-def]
        app_server, app_db, notify_worker, chromium, runs_site, receiver) -> None:
    from traceiq_app.db import get_engine
    from traceiq_app.models import Run, RunTrigger

    email, pid = _seed(app_server, runs_site)
    page = _page(app_server, chromium, email, 1280)

    # --- schedules ---------------------------------------------------------------------------
    page.goto(f"/projects/{pid}/schedules")
    expect(page.get_by_text("No schedules yet")).to_be_visible()
    page.get_by_role("button", name="New schedule").click()
    page.get_by_label("Name").fill("Weekday smoke")
    page.get_by_label("Cron (minute hour day month weekday)").fill("0 6 * * 1-5")
    page.get_by_label("Time zone").fill("Mars/Olympus")
    expect(page.get_by_test_id("error-timezone")).to_contain_text("unknown time zone 'Mars/Olympus'")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    expect(page.get_by_test_id("error-timezone")).to_have_count(0)
    expect(page.get_by_test_id("cron-words")).to_have_text("At 06:00, Monday through Friday (Europe/Berlin)")
    expect(page.get_by_test_id("next-fire-times").locator("li")).to_have_count(5)
    expect(page.get_by_test_id("next-fire-times").locator("li").first).to_contain_text("06:00 CE")
    page.get_by_role("button", name="Save schedule").click()
    card = page.get_by_test_id("schedule-card")
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("schedule-words")).to_have_text("At 06:00, Monday through Friday (Europe/Berlin)")
    expect(card).to_contain_text("never run")
    card.get_by_role("button", name="Run now").click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}$"))
    run_id = page.url.rsplit("/", 1)[1]
    with Session(get_engine()) as s:
        run = s.get(Run, uuid.UUID(run_id))
        assert run is not None and run.trigger == RunTrigger.schedule and run.schedule_id is not None
    page.goto(f"/projects/{pid}/schedules")
    expect(page.get_by_test_id("schedule-card").get_by_role("link", name="Open the last run")).to_be_visible()

    # --- notifications -----------------------------------------------------------------------
    page.goto(f"/projects/{pid}/notifications")
    expect(page.get_by_text("No channels yet")).to_be_visible()
    page.get_by_label("Name").fill("CI receiver")
    page.get_by_label("Webhook URL").fill("ftp://nope")
    page.get_by_role("button", name="Create channel").click()
    expect(page.get_by_test_id("error-url")).to_contain_text("https://")
    page.get_by_label("Webhook URL").fill(receiver.url)
    page.get_by_role("button", name="Create channel").click()
    secret = page.get_by_test_id("new-secret")
    expect(secret).to_have_text(re.compile(r"^whsec_[A-Za-z0-9+/=]{40,}$"))
    receiver.secret = secret.inner_text()
    expect(page.get_by_label("Webhook URL")).to_have_value("")  # the form is emptied after success
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_test_id("new-secret")).to_have_count(0)

    page.get_by_label("Channel").select_option(label="CI receiver")
    page.locator('input[name="event:run.failed"]').check()
    page.get_by_role("button", name="Create rule").click()
    expect(page.get_by_test_id("rule-card")).to_contain_text("run.failed")

    page.get_by_test_id("channel-card").get_by_role("button", name="Send test event").click()
    wait_until(lambda: receiver.received, 60, what="the test event at the receiver")
    got = receiver.received[0]
    assert got.signature_ok is True and got.json()["type"] == "notification.test"

    def delivered() -> bool:
        page.get_by_role("button", name="Refresh").click()
        return "delivered" in (page.get_by_test_id("delivery-row").first.inner_text(timeout=5000) or "")

    wait_until(delivered, 30, interval=1, what="the delivery log to show the delivery")
    row = page.get_by_test_id("delivery-row").first
    expect(row).to_contain_text("notification.test")
    expect(row).to_contain_text("204")
    row.get_by_role("button", name="Redeliver").click()
    wait_until(lambda: len(receiver.received) == 2, 60, what="the redelivery")
    assert receiver.received[1].headers["webhook-id"] == got.headers["webhook-id"]

    # --- the bell: a failed run reaches the owner's in-app inbox ------------------------------
    from traceiq_app.services.notifications import publish

    publish(uuid.UUID(pid), "run.failed", {"status": "failed", "project_name": "Shop", "run_title": "Run 42",
                                           "url": f"http://traceiq.test/runs/{run_id}"}, event_id=f"bell-{run_id}")
    page.reload()
    expect(page.get_by_test_id("bell-unread")).to_have_text("1")
    page.get_by_role("button", name="Your notifications").click()
    expect(page.get_by_role("dialog")).to_contain_text("Run failed · Shop · Run 42")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_test_id("bell-unread")).to_have_count(0)
    page.keyboard.press("Escape")

    # --- narrow and dark ---------------------------------------------------------------------
    for dark in (False, True):
        small = _page(app_server, chromium, email, 390, dark=dark)
        for path, ready in ((f"/projects/{pid}/schedules", "schedule-card"),
                            (f"/projects/{pid}/notifications", "channel-card")):
            small.goto(path)
            expect(small.get_by_test_id(ready).first).to_be_visible()
            _no_sideways_scroll(small)
        small.context.close()
